import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Where the handler's Powertools metrics (embedded metric format) land. */
export const GUARD_METRICS_NAMESPACE = 'EcsImageGuard';
export const GUARD_METRICS_SERVICE = 'image-guard';

export interface AlarmInputs {
  fn: lambda.IFunction;
  rule: events.IRule;
  failedEvents: sqs.IQueue;
  undeliveredEvents: sqs.IQueue;
  /** AsyncEventAge (Maximum) above which the async queue counts as backed up. */
  eventAgeThreshold: Duration;
}

/**
 * Alarms on the guard itself, to the operators' topic. Each fires on the first occurrence (> 0 in a
 * 5-minute period): a failing guard is a guard that lets images through. The alarms watch arrivals and
 * counts, never "something is still there", so each new failure notifies again once the alarm has
 * returned to OK (a period without one).
 */
export function createAlarms(scope: Construct, topic: sns.ITopic, inputs: AlarmInputs): cloudwatch.Alarm[] {
  const { fn, rule } = inputs;
  const period = Duration.minutes(5);
  const alarms: cloudwatch.Alarm[] = [];
  const add = (
    id: string,
    metric: cloudwatch.IMetric,
    description: string,
    options: { threshold?: number; evaluationPeriods?: number } = {},
  ) => {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric,
      threshold: options.threshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `ecs-image-guard: ${description}`,
    });
    alarm.addAlarmAction(new SnsAction(topic));
    alarms.push(alarm);
  };
  const guardMetric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: GUARD_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: GUARD_METRICS_SERVICE },
      period,
      statistic: 'Sum',
    });
  // A message a Lambda destination or EventBridge sends to a queue is a SendMessage, so it counts in
  // NumberOfMessagesSent (SQS leaves out only messages its own redrive policy moves). SQS may publish
  // the first datapoint of a queue that was idle for hours late: 1 of 3 periods catches a late one.
  const arrivals = (queue: sqs.IQueue) => queue.metricNumberOfMessagesSent({ period, statistic: 'Sum' });

  add(
    'FunctionErrorsAlarm',
    fn.metricErrors({ period, statistic: 'Sum' }),
    'the verifier failed (function errors); Lambda retries, then the event goes to the failed-events queue',
  );
  add(
    'FunctionThrottlesAlarm',
    fn.metricThrottles({ period, statistic: 'Sum' }),
    'the verifier is throttled (account or reserved concurrency reached); events wait in the async queue',
  );
  add(
    'DestinationDeliveryFailuresAlarm',
    fn.metric('DestinationDeliveryFailures', { period, statistic: 'Sum' }),
    'a failed event could not be sent to the failed-events queue (event lost)',
  );
  add(
    'VerificationErrorsAlarm',
    guardMetric('Errors'),
    'image verifications ended in error (KMS key unavailable, registry login or rate limit, timeout); ' +
      'with onError: alert those images run unverified. See the "errors" saved query',
  );
  add(
    'InvalidEventsAlarm',
    guardMetric('EventsInvalid'),
    'task state change events could not be parsed (EVENT_INVALID); their tasks were not verified',
  );
  add(
    'FailedEventsArrivalsAlarm',
    arrivals(inputs.failedEvents),
    'an event whose processing failed after retries arrived in the failed-events queue; inspect and redrive',
    { evaluationPeriods: 3 },
  );
  add(
    'UndeliveredEventsArrivalsAlarm',
    arrivals(inputs.undeliveredEvents),
    'an event EventBridge could not deliver to the verifier arrived in the undelivered-events queue; ' +
      'inspect and redrive',
    { evaluationPeriods: 3 },
  );
  add(
    'RuleDlqDeliveryFailuresAlarm',
    new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'InvocationsFailedToBeSentToDlq',
      dimensionsMap: { RuleName: rule.ruleName },
      period,
      statistic: 'Sum',
    }),
    'EventBridge could neither deliver an event to the verifier nor to its dead-letter queue (event lost)',
  );
  add(
    'EventAgeAlarm',
    fn.metric('AsyncEventAge', { period, statistic: 'Maximum' }),
    `events waited more than ${inputs.eventAgeThreshold.toHumanString()} in the verifier's async queue ` +
      '(backlog: throttling, or a launch storm); tasks run unverified meanwhile',
    { threshold: inputs.eventAgeThreshold.toMilliseconds() },
  );
  return alarms;
}
