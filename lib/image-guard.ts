import path from 'node:path';
import { Annotations, type CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Policy } from '../lambda/policy/schema';
import { sweepSettings } from '../lambda/policy/sweep-settings';
import { eventClusterFilter } from './cluster-scope';
import { createAlarms } from './guard-alarms';
import { createOutputs } from './guard-outputs';
import { createAlertTopic, createOpsTopic } from './guard-alerts';
import { clusterScope } from './guard-permissions';
import { createGuardRole } from './guard-role';
import { GuardHook, type ProtectServiceOptions } from './guard-hook';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { DEFAULT_SWEEP_TIMEOUT, GuardSweep } from './guard-sweep';
import { resolvePolicy, type ResolvedPolicy } from './guard-policy';
import { acknowledgeDeadLetterQueue } from './guard-nag';
import { LAMBDA_EXTERNAL_MODULES, POLICY_FILE_NAME, lambdaBundling } from './policy-bundle';
import { describePolicy } from './policy-summary';

export interface EcsImageGuardProps {
  /** A policy already loaded (e.g. with `loadPolicyFile`); validated again at synth. */
  readonly policy?: Policy;
  /** A policy file (YAML or JSON), read and validated at synth; `publicKeyFile`s are inlined. */
  readonly policyFile?: string;
  /**
   * Alias of the asymmetric KMS signing key created when neither `policy` nor `policyFile` is given
   * (then the guard runs the default policy: audit mode, every image signed by this key), or when
   * `keepDefaultSigningKey` is set. Two guards in one account and region need two aliases.
   * @default 'alias/ecs-image-guard'
   */
  readonly signingKeyAlias?: string;
  /**
   * Keep creating the signing key (same construct id, same alias) when a policy is given. Set it when
   * moving a default deployment to a policy file, so the key and the alias CI signs with survive the
   * update; the policy can then trust the key by its alias (`kms: alias/ecs-image-guard`), which is
   * granted by the key's ARN. Without it, a policy deployment has no signing key and the update
   * deletes the alias (the key itself is retained, orphaned).
   * @default false
   */
  readonly keepDefaultSigningKey?: boolean;
  /** Email addresses subscribed to the alert topic (each must confirm the subscription). */
  readonly alertEmails?: string[];
  /**
   * Email addresses for the guard's own alarms. Given (non-empty), the alarms go to an operators'
   * topic of their own; otherwise they go to the alert topic, as before.
   */
  readonly opsEmails?: string[];
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency of the verifier (opt-in). Bounds how fast it can call ECR (whose BatchGetImage
   * and GetDownloadUrlForLayer buckets ECS task pulls share) and StopTask (which shares a bucket with
   * RunTask) during a task launch storm; excess events wait in Lambda's async queue. Lambda refuses a
   * reservation that leaves the account less than its minimum unreserved concurrency (100 on most
   * accounts, `Specified ReservedConcurrentExecutions for function decreases account's
   * UnreservedConcurrentExecution below its minimum value of [100].`), so new accounts with a low
   * quota cannot deploy one at all. 0 is Lambda's kill switch: every event goes straight to the
   * failed-events queue (and its alarm fires).
   * @default none (the function uses the account's unreserved concurrency)
   */
  readonly reservedConcurrency?: number;
  /**
   * The EventAgeAlarm fires when an event waited longer than this in the verifier's async queue.
   * Retries of a failing event (1 and 2 minutes apart) stay below the default.
   * @default Duration.minutes(10)
   */
  readonly eventAgeAlarmThreshold?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /**
   * Overall budget for verifying one task's images; past it, a container's outcome is `error`
   * (TIMEOUT), handled by the policy's `onError`. Must leave time to stop, alert and log.
   * @default timeout minus 15 s (at least half the timeout)
   */
  readonly verifyDeadline?: Duration;
  /**
   * How often the sweep re-verifies the running tasks of the clusters in scope (docs/sweep.md): tasks
   * whose event was lost, unconfirmed digests, every task after the policy or a key changed, and each
   * final decision again after the policy's `sweep.recheckAfterHours`. Absent or `Duration.minutes(0)`:
   * no sweep (no function, no schedule). The app (bin/app.ts) sets it from the context key
   * `sweepIntervalMinutes`, 15 by default.
   * @default no sweep
   */
  readonly sweepInterval?: Duration;
  /**
   * The sweep function's timeout; a run stops listing before it and leaves the rest for the next run.
   * At most the interval, so runs do not overlap.
   * @default Duration.minutes(5), or the interval when shorter
   */
  readonly sweepTimeout?: Duration;
}

export const DEFAULT_SIGNING_KEY_ALIAS = 'alias/ecs-image-guard';
const HANDLER_ENTRY = path.join(__dirname, '..', 'lambda', 'handler.ts');

export { LAMBDA_EXTERNAL_MODULES };

/**
 * Cosign signature verification for ECS tasks: an EventBridge rule on task state changes, a Lambda
 * that verifies every container image against the policy's keys and stops (enforce) or reports
 * (audit) failing tasks, an encrypted SNS alert topic, a DynamoDB ledger so a task is stopped and
 * alerted at most once, alarms on anything lost or failing, and saved Logs Insights queries.
 */
export class EcsImageGuard extends Construct {
  /** The compiled policy, its hash and its scope, as deployed. */
  readonly resolvedPolicy: ResolvedPolicy;
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  readonly alertTopic: sns.Topic;
  /** The operators' topic, when `opsEmails` were given. */
  readonly opsTopic?: sns.Topic;
  /** Where the guard's own alarms go: the operators' topic, else the alert topic. */
  readonly alarmTopic: sns.Topic;
  readonly logGroup: logs.LogGroup;
  readonly ledger: dynamodb.Table;
  /** Lambda's on-failure destination: events whose processing failed after retries. */
  readonly failedEventsQueue: sqs.Queue;
  /** EventBridge target dead-letter queue: events that could not be delivered to the Lambda. */
  readonly undeliveredEventsQueue: sqs.Queue;
  /** The signing key created when no policy is given (or with `keepDefaultSigningKey`). */
  readonly signingKey?: kms.Key;
  readonly signingKeyAlias?: string;
  /** The scheduled re-verification of running tasks; absent when `sweepInterval` is 0. */
  readonly sweep?: GuardSweep;
  /** The stack outputs, by the name the README documents (the stack uses these as logical ids). */
  readonly outputs: Readonly<Record<string, CfnOutput>>;
  /** The deployment lifecycle hook, once `protectService` was called. */
  private deploymentHook?: GuardHook;
  private readonly alertKey: kms.IKey;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: EcsImageGuardProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const here = { partition: stack.partition, region: stack.region, account: stack.account };
    const timeout = props.timeout ?? Duration.seconds(60);
    const verifyDeadline = props.verifyDeadline ?? defaultDeadline(timeout);
    checkSettings(props, timeout, verifyDeadline);

    const isDefaultPolicy = props.policy === undefined && props.policyFile === undefined;
    const createKey = isDefaultPolicy || props.keepDefaultSigningKey === true;
    const aliasName = props.signingKeyAlias ?? DEFAULT_SIGNING_KEY_ALIAS;
    this.resolvedPolicy = resolvePolicy(props, aliasName);

    if (createKey) {
      this.signingKeyAlias = aliasName;
      // The construct id and alias must not change between the default and a kept-key deployment:
      // the key's logical id is derived from them, and a new logical id would orphan the key.
      this.signingKey = new kms.Key(this, 'SigningKey', {
        description: 'ecs-image-guard: Cosign image signing key (sign with cosign --key awskms:///ALIAS)',
        keySpec: kms.KeySpec.ECC_NIST_P256,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        alias: aliasName,
        // Signatures made with it must stay verifiable after the stack is gone.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    // --- Alerts: an SNS topic encrypted with a CMK whose policy lets CloudWatch alarms publish. ---
    const alerts = createAlertTopic(this, here, props.alertEmails ?? []);
    this.alertTopic = alerts.topic;
    this.alertKey = alerts.key;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const opsEmails = props.opsEmails ?? [];
    if (opsEmails.length > 0) this.opsTopic = createOpsTopic(this, here, alerts.key, opsEmails);
    this.alarmTopic = this.opsTopic ?? this.alertTopic;

    // --- Decision ledger: stop once / alert once across concurrent instances. ---
    this.ledger = new dynamodb.Table(this, 'DecisionLedger', {
      partitionKey: { name: 'taskArn', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Nothing dropped silently: both retry layers end in an encrypted, SSL-only queue. ---
    this.failedEventsQueue = deadLetterQueue(this, 'FailedEventsQueue');
    this.undeliveredEventsQueue = deadLetterQueue(this, 'UndeliveredEventsQueue');

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- A role with hand-written, resource-scoped statements only. ---
    const { role, ecrAuthPolicy, ecsTaskDefinitionPolicy } = createGuardRole(this, {
      resolved: this.resolvedPolicy,
      here,
      logGroup: this.logGroup,
      alertTopic: alerts.topic,
      alertKey: alerts.key,
      ledger: this.ledger,
      ...(this.signingKey === undefined
        ? {}
        : { ownedKey: { alias: aliasName, keyArn: this.signingKey.keyArn } }),
    });
    this.role = role;

    // --- The verifier. ---
    this.function = new NodejsFunction(this, 'Function', {
      entry: HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout,
      role: this.role,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      logGroup: this.logGroup,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.failedEventsQueue),
      description: 'ecs-image-guard: verifies Cosign signatures of ECS task images',
      environment: {
        IMAGE_GUARD_POLICY_FILE: POLICY_FILE_NAME,
        IMAGE_GUARD_POLICY_SHA256: this.resolvedPolicy.sha256,
        IMAGE_GUARD_TOPIC_ARN: this.alertTopic.topicArn,
        IMAGE_GUARD_LEDGER_TABLE: this.ledger.tableName,
        IMAGE_GUARD_VERIFY_DEADLINE_MS: String(verifyDeadline.toMilliseconds()),
        // A stop or alert claim outlives any invocation that could hold it; then a retry may take it over.
        IMAGE_GUARD_LEASE_SECONDS: String(timeout.toSeconds() + 30),
        POWERTOOLS_SERVICE_NAME: 'image-guard',
        POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: lambdaBundling(this.resolvedPolicy),
    });
    // Policies attached separately must exist before the function can run with them.
    if (ecrAuthPolicy !== undefined) this.function.node.addDependency(ecrAuthPolicy);
    this.function.node.addDependency(ecsTaskDefinitionPolicy);

    // --- The trigger: the clusters the policy applies to (audit included). ---
    const clusters = clusterScope(this.resolvedPolicy.scope, here);
    this.rule = new events.Rule(this, 'TaskStateChangeRule', {
      description: 'ecs-image-guard: ECS tasks starting (desired RUNNING; PENDING, ACTIVATING or RUNNING)',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          desiredStatus: ['RUNNING'],
          lastStatus: ['PENDING', 'ACTIVATING', 'RUNNING'],
          ...(clusters.all ? {} : { clusterArn: eventClusterFilter(clusters.clusters) }),
        },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.undeliveredEventsQueue,
        // Delivery to Lambda's async queue only fails on throttling or service errors; function
        // errors are retried by Lambda itself (retryAttempts/maxEventAge above).
        retryAttempts: 20,
        maxEventAge: Duration.hours(2),
      }),
    );

    createAlarms(this, this.alarmTopic, {
      fn: this.function,
      rule: this.rule,
      failedEvents: this.failedEventsQueue,
      undeliveredEvents: this.undeliveredEventsQueue,
      eventAgeThreshold: props.eventAgeAlarmThreshold ?? Duration.minutes(10),
    });
    const sweepInterval = props.sweepInterval;
    if (sweepInterval !== undefined && sweepInterval.toMilliseconds() > 0) {
      this.sweep = new GuardSweep(this, 'Sweep', {
        resolved: this.resolvedPolicy,
        here,
        logGroup: this.logGroup,
        alertTopic: alerts.topic,
        alertKey: alerts.key,
        alarmTopic: this.alarmTopic,
        ledger: this.ledger,
        ...(this.signingKey === undefined
          ? {}
          : { ownedKey: { alias: aliasName, keyArn: this.signingKey.keyArn } }),
        interval: sweepInterval,
        timeout:
          props.sweepTimeout ??
          (sweepInterval.toSeconds() < DEFAULT_SWEEP_TIMEOUT.toSeconds()
            ? sweepInterval
            : DEFAULT_SWEEP_TIMEOUT),
        memorySize: props.memorySize ?? 512,
        verifyDeadline,
        externalModules: LAMBDA_EXTERNAL_MODULES,
      });
    }
    this.outputs = createOutputs(this);
    Annotations.of(this).addInfo(this.synthSummary(isDefaultPolicy, props.reservedConcurrency).join('\n'));
    acknowledgeDeadLetterQueue(this.failedEventsQueue, "the verifier Lambda's on-failure destination");
    acknowledgeDeadLetterQueue(
      this.undeliveredEventsQueue,
      "the EventBridge rule target's dead-letter queue",
    );
  }

  /**
   * Refuses a bad rollout of `service` before any of its tasks starts: adds the guard's deployment
   * lifecycle hook at PRE_SCALE_UP (ECS calls it with the new service revision; FAILED rolls the
   * deployment back), with its own invoke role trusted by ecs.amazonaws.com and a hook timeout
   * (TimeoutConfiguration, action ROLLBACK). The task event path keeps checking every task
   * (RunTask, scale-out, replacements are not deployments), and tells when a task runs another digest
   * than the hook approved. Synth fails for a deployment strategy where ECS does not document Lambda
   * hooks to run (ROLLING, the default) and for a non-ECS deployment controller.
   */
  protectService(service: ecs.BaseService, options: ProtectServiceOptions = {}): GuardHook {
    if (this.deploymentHook === undefined) {
      this.deploymentHook = new GuardHook(this, 'DeploymentHook', {
        resolved: this.resolvedPolicy,
        here: {
          partition: Stack.of(this).partition,
          region: Stack.of(this).region,
          account: Stack.of(this).account,
        },
        alertTopic: this.alertTopic,
        alertKey: this.alertKey,
        ledger: this.ledger,
        logRetention: this.logRetention,
        externalModules: LAMBDA_EXTERNAL_MODULES,
        ...(this.signingKey !== undefined && this.signingKeyAlias !== undefined
          ? { ownedKey: { alias: this.signingKeyAlias, keyArn: this.signingKey.keyArn } }
          : {}),
      });
      // The event path reads the hook's approvals for service tasks.
      this.function.addEnvironment('IMAGE_GUARD_APPROVED_DIGESTS', 'ledger');
    }
    this.deploymentHook.protect(service, options);
    return this.deploymentHook;
  }

  /**
   * What will be deployed, said at synth (a CDK info annotation, which `cdk synth`/`deploy` print): the
   * policy's effect, the signing key, where alarms go.
   */
  private synthSummary(isDefaultPolicy: boolean, reservedConcurrency: number | undefined): string[] {
    const lines = describePolicy(this.resolvedPolicy);
    if (this.signingKey !== undefined) {
      lines.push(`signing key: ${this.signingKeyAlias} (created; retained when removed from the stack)`);
    } else if (!isDefaultPolicy) {
      lines.push(
        'signing key: none. If this stack ran the default policy before, this update deletes its key alias ' +
          '(the key itself is retained); keepDefaultSigningKey (context keepSigningKey=true) keeps both',
      );
    }
    lines.push(
      this.opsTopic === undefined
        ? 'alarms on the guard itself: to the alert topic (no operator emails given)'
        : "alarms on the guard itself: to the operators' topic",
    );
    lines.push(
      this.sweep === undefined
        ? 'sweep: off (running tasks are only decided from their events)'
        : sweepSummary(this.sweep.interval, this.resolvedPolicy.policy),
    );
    lines.push(
      reservedConcurrency === undefined
        ? 'reserved concurrency: none'
        : `reserved concurrency: ${reservedConcurrency}`,
    );
    return lines;
  }
}

function sweepSummary(interval: Duration, policy: Policy): string {
  const settings = sweepSettings(policy);
  return (
    `sweep: every ${interval.toMinutes()} minutes, at most ${settings.maxStopsPerRun} stops per run, ` +
    `each final decision re-checked after ${settings.recheckAfterMs / 3600_000} hours`
  );
}

function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

function defaultDeadline(timeout: Duration): Duration {
  const ms = timeout.toMilliseconds();
  return Duration.millis(Math.max(ms - 15_000, Math.floor(ms / 2)));
}

function checkSettings(props: EcsImageGuardProps, timeout: Duration, deadline: Duration): void {
  if (deadline.toMilliseconds() < 1000 || deadline.toMilliseconds() >= timeout.toMilliseconds()) {
    throw new Error(
      `EcsImageGuard: verifyDeadline (${deadline.toMilliseconds()} ms) must be at least 1 s and shorter than the ` +
        `Lambda timeout (${timeout.toMilliseconds()} ms), leaving time to stop, alert and log`,
    );
  }
  const rc = props.reservedConcurrency;
  // 0 is allowed on purpose: Lambda's kill switch, every event goes to the failed-events queue (alarmed).
  if (rc !== undefined && (!Number.isInteger(rc) || rc < 0)) {
    throw new Error(`EcsImageGuard: reservedConcurrency must be a non-negative integer (got ${rc})`);
  }
  for (const key of ['alertEmails', 'opsEmails'] as const) {
    for (const email of props[key] ?? []) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`EcsImageGuard: ${key}: ${JSON.stringify(email)} is not an email address`);
      }
    }
  }
  const age = props.eventAgeAlarmThreshold?.toMilliseconds();
  // Lambda keeps an async event at most 6 hours; a threshold past that could never fire.
  if (age !== undefined && (age <= 0 || age >= 6 * 3600 * 1000)) {
    throw new Error(`EcsImageGuard: eventAgeAlarmThreshold (${age} ms) must be above 0 and below 6 hours`);
  }
}
