import path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Policy } from '../lambda/policy/schema';
import { eventClusterFilter } from './cluster-scope';
import { createAlarms } from './guard-alarms';
import { createOutputs } from './guard-outputs';
import { createAlertTopic } from './guard-alerts';
import { clusterScope } from './guard-permissions';
import { createGuardRole } from './guard-role';
import { resolvePolicy, type ResolvedPolicy } from './guard-policy';
import { acknowledgeDeadLetterQueue } from './guard-nag';
import { POLICY_FILE_NAME, policyBundlingHooks } from './policy-bundle';

export interface EcsImageGuardProps {
  /** A policy already loaded (e.g. with `loadPolicyFile`); validated again at synth. */
  readonly policy?: Policy;
  /** A policy file (YAML or JSON), read and validated at synth; `publicKeyFile`s are inlined. */
  readonly policyFile?: string;
  /**
   * Alias of the asymmetric KMS signing key created when neither `policy` nor `policyFile` is given
   * (then the guard runs the default policy: audit mode, every image signed by this key).
   * @default 'alias/ecs-image-guard'
   */
  readonly signingKeyAlias?: string;
  /** Email addresses subscribed to the alert topic (each must confirm the subscription). */
  readonly alertEmails?: string[];
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency of the verifier. Bounds how fast it can call ECR (whose BatchGetImage and
   * GetDownloadUrlForLayer buckets ECS task pulls share) and StopTask (which shares a bucket with
   * RunTask) during a task launch storm; excess events wait in Lambda's async queue. 0 is Lambda's
   * kill switch: every event goes straight to the failed-events queue (and its alarm fires).
   * @default 20
   */
  readonly reservedConcurrency?: number;
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
}

const DEFAULT_SIGNING_KEY_ALIAS = 'alias/ecs-image-guard';
const HANDLER_ENTRY = path.join(__dirname, '..', 'lambda', 'handler.ts');

/**
 * Left out of the Lambda bundle. nodejs24.x ships the AWS SDK for JavaScript v3 (every client, with
 * its @smithy packages). undici is only loaded for a custom registry CA, which the Lambda never
 * configures: leaving it out halves the bundle (the registry client says so clearly if it were needed).
 */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*', 'undici'];

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
  readonly logGroup: logs.LogGroup;
  readonly ledger: dynamodb.Table;
  /** Lambda's on-failure destination: events whose processing failed after retries. */
  readonly failedEventsQueue: sqs.Queue;
  /** EventBridge target dead-letter queue: events that could not be delivered to the Lambda. */
  readonly undeliveredEventsQueue: sqs.Queue;
  /** The signing key created when no policy is given. */
  readonly signingKey?: kms.Key;
  readonly signingKeyAlias?: string;

  constructor(scope: Construct, id: string, props: EcsImageGuardProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const here = { partition: stack.partition, region: stack.region, account: stack.account };
    const timeout = props.timeout ?? Duration.seconds(60);
    const verifyDeadline = props.verifyDeadline ?? defaultDeadline(timeout);
    checkSettings(props, timeout, verifyDeadline);

    const createKey = props.policy === undefined && props.policyFile === undefined;
    const aliasName = props.signingKeyAlias ?? DEFAULT_SIGNING_KEY_ALIAS;
    this.resolvedPolicy = resolvePolicy(props, aliasName);

    if (createKey) {
      this.signingKeyAlias = aliasName;
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
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- A role with hand-written, resource-scoped statements only. ---
    const { role, ecrAuthPolicy } = createGuardRole(this, {
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
      reservedConcurrentExecutions: props.reservedConcurrency ?? 20,
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
        POWERTOOLS_SERVICE_NAME: 'image-guard',
        POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        sourceMap: true,
        externalModules: [...LAMBDA_EXTERNAL_MODULES],
        commandHooks: policyBundlingHooks(this.resolvedPolicy.json),
      },
    });
    if (ecrAuthPolicy !== undefined) this.function.node.addDependency(ecrAuthPolicy);

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

    createAlarms(this, this.alertTopic, this.function, this.rule, {
      failedEvents: this.failedEventsQueue,
      undeliveredEvents: this.undeliveredEventsQueue,
    });
    createOutputs(this);
    acknowledgeDeadLetterQueue(this.failedEventsQueue, "the verifier Lambda's on-failure destination");
    acknowledgeDeadLetterQueue(
      this.undeliveredEventsQueue,
      "the EventBridge rule target's dead-letter queue",
    );
  }
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
  for (const email of props.alertEmails ?? []) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`EcsImageGuard: alertEmails: ${JSON.stringify(email)} is not an email address`);
    }
  }
}
