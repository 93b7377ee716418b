/**
 * The sweep (docs/sweep.md): a second function on the same engine, run by EventBridge Scheduler every
 * `interval`, that decides the running tasks of the clusters in scope again. Its role is the
 * verifier's (createGuardRole: the same policy-scoped reads, StopTask only where a rule can stop, the
 * ledger, the alert topic) plus what listing needs: ecs:ListTasks narrowed by the ecs:cluster
 * condition, ecs:ListClusters only when the policy names clusters by pattern, and BatchGetItem on the
 * ledger table to read remembered decisions 100 at a time.
 */
import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { needsListClusters } from '../lambda/sweep/cluster-selection';
import { clusterArn, type ArnContext } from './cluster-scope';
import { acknowledgeWildcardResources } from './guard-nag';
import { clusterScope } from './guard-permissions';
import type { ResolvedPolicy } from './guard-policy';
import { createGuardRole } from './guard-role';
import { POLICY_FILE_NAME, lambdaBundling } from './policy-bundle';

export const DEFAULT_SWEEP_INTERVAL = Duration.minutes(15);
/** A run lists and decides within this; the run stops listing itself before it (lambda/sweep/sweep.ts). */
export const DEFAULT_SWEEP_TIMEOUT = Duration.minutes(5);
const SWEEP_ENTRY = path.join(__dirname, '..', 'lambda', 'sweep-handler.ts');

export interface GuardSweepProps {
  readonly resolved: ResolvedPolicy;
  readonly here: ArnContext;
  readonly logGroup: logs.ILogGroup;
  readonly alertTopic: sns.ITopic;
  readonly alertKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly ledger: dynamodb.ITable;
  readonly ownedKey?: { alias: string; keyArn: string };
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly verifyDeadline: Duration;
  readonly externalModules: readonly string[];
}

export class GuardSweep extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  /** The role EventBridge Scheduler assumes: lambda:InvokeFunction on the sweep function only. */
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.Schedule;
  readonly interval: Duration;

  constructor(scope: Construct, id: string, props: GuardSweepProps) {
    super(scope, id);
    checkSweepSettings(props.interval, props.timeout, props.verifyDeadline);
    const { resolved, here } = props;
    this.interval = props.interval;

    const { role, ecrAuthPolicy, ecsTaskDefinitionPolicy } = createGuardRole(this, {
      resolved,
      here,
      logGroup: props.logGroup,
      alertTopic: props.alertTopic,
      alertKey: props.alertKey,
      ledger: props.ledger,
      ...(props.ownedKey ? { ownedKey: props.ownedKey } : {}),
      description:
        'ecs-image-guard sweep: list and re-verify running tasks in scope, stop within a budget, alert, log',
    });
    this.role = role;
    grantListing(role, resolved, here);
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [props.ledger.tableArn] }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: SWEEP_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      logGroup: props.logGroup,
      // A failed run is not retried: the next scheduled run covers the same fleet.
      retryAttempts: 0,
      description: 'ecs-image-guard sweep: re-verifies the running tasks of the clusters in scope',
      environment: {
        IMAGE_GUARD_POLICY_FILE: POLICY_FILE_NAME,
        IMAGE_GUARD_POLICY_SHA256: resolved.sha256,
        IMAGE_GUARD_TOPIC_ARN: props.alertTopic.topicArn,
        IMAGE_GUARD_LEDGER_TABLE: props.ledger.tableName,
        IMAGE_GUARD_VERIFY_DEADLINE_MS: String(props.verifyDeadline.toMilliseconds()),
        IMAGE_GUARD_LEASE_SECONDS: String(props.timeout.toSeconds() + 30),
        POWERTOOLS_SERVICE_NAME: 'image-guard-sweep',
        POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: lambdaBundling(resolved, {
        externalModules: props.externalModules,
      }),
    });
    if (ecrAuthPolicy !== undefined) this.function.node.addDependency(ecrAuthPolicy);
    this.function.node.addDependency(ecsTaskDefinitionPolicy);

    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'ecs-image-guard sweep schedule: invoke the sweep function, nothing else',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `ecs-image-guard: re-verify running tasks every ${props.interval.toMinutes()} minutes`,
      schedule: scheduler.ScheduleExpression.rate(props.interval),
      target: new schedulerTargets.LambdaInvoke(this.function, {
        role: this.schedulerRole,
        // A run that could not start in time is superseded by the next one.
        retryAttempts: 0,
        maxEventAge: Duration.seconds(Math.max(60, Math.min(props.interval.toSeconds(), 86_400))),
      }),
    });
    // grantInvoke names the function and its versions/aliases (`<arn>:*`), one function either way.
    {
      // The same resources grantInvoke (called by LambdaInvoke) names.
      const invoke = new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn, `${this.function.functionArn}:*`],
      });
      acknowledgeWildcardResources(
        this.schedulerRole,
        invoke,
        'lambda:InvokeFunction on the sweep function only: CDK grantInvoke adds "<function ARN>:*" for its ' +
          'versions and aliases, which cannot name another function.',
      );
    }

    new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      metric: this.function.metricErrors({
        period: Duration.minutes(Math.max(5, props.interval.toMinutes())),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'ecs-image-guard: a sweep run failed (the policy could not be loaded, or the run crashed); running tasks ' +
        'are not being re-verified',
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }
}

/**
 * ecs:ListTasks authorizes against no task resource (the service authorization reference lists only
 * `container-instance`, for a listing by instance; a listing by cluster is evaluated on "*"), so it is
 * "*" narrowed by the ecs:cluster condition to the clusters in scope. ecs:ListClusters has no resource
 * or condition at all: granted only when the policy names clusters by pattern (or applies to all).
 */
function grantListing(role: iam.Role, resolved: ResolvedPolicy, here: ArnContext): void {
  const clusters = clusterScope(resolved.scope, here);
  const listTasks = new iam.PolicyStatement({
    actions: ['ecs:ListTasks'],
    resources: ['*'],
    conditions: { ArnLike: { 'ecs:cluster': [...new Set(clusters.clusters.map(clusterArn))] } },
  });
  role.addToPolicy(listTasks);
  acknowledgeWildcardResources(
    role,
    listTasks,
    'ecs:ListTasks by cluster is authorized on Resource "*" (its only resource type is container-instance); the ' +
      'ecs:cluster condition narrows it to the clusters the policy applies to. It returns task ARNs only.',
  );
  if (!needsListClusters(resolved.scope)) return;
  const listClusters = new iam.PolicyStatement({ actions: ['ecs:ListClusters'], resources: ['*'] });
  role.addToPolicy(listClusters);
  acknowledgeWildcardResources(
    role,
    listClusters,
    'ecs:ListClusters has no resource-level permissions or condition keys; granted only because the policy ' +
      'names clusters by pattern (or applies to every cluster), so the sweep must list them to match. It returns ' +
      'cluster ARNs only.',
  );
}

function checkSweepSettings(interval: Duration, timeout: Duration, verifyDeadline: Duration): void {
  const minutes = interval.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new Error(
      `EcsImageGuard: sweepInterval must be a whole number of minutes from 1 to 1440 (got ${minutes})`,
    );
  }
  const t = timeout.toSeconds();
  if (t < 60 || t > 900 || t > interval.toSeconds()) {
    throw new Error(
      `EcsImageGuard: sweepTimeout (${t} s) must be 1 to 15 minutes and no longer than the interval ` +
        `(${interval.toSeconds()} s), so that runs do not overlap`,
    );
  }
  if (verifyDeadline.toSeconds() + 20 > t) {
    throw new Error(
      `EcsImageGuard: sweepTimeout (${t} s) must leave at least 20 s beyond the verify deadline ` +
        `(${verifyDeadline.toSeconds()} s) to decide, alert and record`,
    );
  }
}
