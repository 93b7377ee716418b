import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Alarms that page the alert topic when the guard itself fails or loses events. Each fires on the
 * first occurrence (> 0 in one 5-minute period): a failing guard is a guard that lets images through.
 */
export function createAlarms(
  scope: Construct,
  topic: sns.ITopic,
  fn: lambda.IFunction,
  rule: events.IRule,
  queues: { failedEvents: sqs.IQueue; undeliveredEvents: sqs.IQueue },
): cloudwatch.Alarm[] {
  const period = Duration.minutes(5);
  const alarms: cloudwatch.Alarm[] = [];
  const add = (id: string, metric: cloudwatch.IMetric, description: string) => {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `ecs-image-guard: ${description}`,
    });
    alarm.addAlarmAction(new SnsAction(topic));
    alarms.push(alarm);
  };

  add(
    'FunctionErrorsAlarm',
    fn.metricErrors({ period, statistic: 'Sum' }),
    'the verifier failed (function errors)',
  );
  add(
    'FunctionThrottlesAlarm',
    fn.metricThrottles({ period, statistic: 'Sum' }),
    'the verifier is throttled (reserved concurrency reached); events wait in the async queue',
  );
  add(
    'DestinationDeliveryFailuresAlarm',
    fn.metric('DestinationDeliveryFailures', { period, statistic: 'Sum' }),
    'a failed event could not be sent to the failed-events queue (event lost)',
  );
  add(
    'FailedEventsQueueAlarm',
    queues.failedEvents.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    'events whose verification failed after retries are in the failed-events queue; inspect and redrive',
  );
  add(
    'UndeliveredEventsQueueAlarm',
    queues.undeliveredEvents.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    'events EventBridge could not deliver to the verifier are in the undelivered-events queue; inspect and redrive',
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
  return alarms;
}
