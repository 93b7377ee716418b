import path from 'node:path';
import { Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ArnContext } from './cluster-scope';
import { describeTaskDefinitionStatement } from './ecs-read-grants';
import { acknowledgeWildcardResources } from './guard-nag';
import { ecrAuthStatement, ecrReadStatement } from './guard-permissions';
import type { ResolvedPolicy } from './guard-policy';
import { kmsPublicKeyStatements } from './kms-grants';
import { grantSignerRevocation } from './signer-grants';
import { POLICY_FILE_NAME, lambdaBundling } from './policy-bundle';

const HOOK_ENTRY = path.join(__dirname, '..', 'lambda', 'hook-handler.ts');

/**
 * Bounds of the hook timeout: ECS allows 1 to 1440 minutes; below 5, a registry that is down for a
 * minute would already decide the rollout through onError.
 */
const MIN_TIMEOUT_MINUTES = 5;
const MAX_TIMEOUT_MINUTES = 1440;
/** The deployment strategies whose Lambda lifecycle hooks ECS documents; ROLLING is not documented to run them. */
const HOOKED_STRATEGIES: readonly string[] = ['BLUE_GREEN', 'LINEAR', 'CANARY'];

export interface ProtectServiceOptions {
  /**
   * How long ECS waits for the hook's final answer (TimeoutConfiguration, action ROLLBACK). The hook
   * answers IN_PROGRESS while a registry or KMS is unavailable and gives its final answer (onError)
   * before this runs out, so ECS's timeout action never decides. ECS's own default is 24 hours.
   * @default Duration.minutes(30)
   */
  readonly hookTimeout?: Duration;
}

export interface GuardHookProps {
  resolved: ResolvedPolicy;
  here: ArnContext;
  alertTopic: sns.ITopic;
  alertKey: kms.IKey;
  ledger: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  /** The signing key the guard created, granted by ARN rather than by alias. */
  ownedKey?: { alias: string; keyArn: string };
  /** @default Duration.seconds(60) */
  timeout?: Duration;
  /** @default 512 */
  memorySize?: number;
  /** Modules the runtime provides (left out of the bundle), as for the event function. */
  externalModules: readonly string[];
}

/** Seconds ECS is asked to wait before calling again after IN_PROGRESS (its documented default). */
export const HOOK_CALLBACK_DELAY_SECONDS = 30;

/**
 * The deployment lifecycle hook (PRE_SCALE_UP): its own function on the guard's engine and policy,
 * with its own log group and role, and one invoke role trusted by ecs.amazonaws.com that may invoke
 * this function and nothing else. `protect` adds the hook to a service. No reserved concurrency: a
 * throttled hook invocation rolls the deployment back.
 */
export class GuardHook extends Construct {
  readonly function: NodejsFunction;
  /** The function's execution role. */
  readonly role: iam.Role;
  /** The role ECS assumes to invoke the hook function. */
  readonly invokeRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly timeoutsMinutes: number[] = [];
  private readonly describeResources = new Set<string>();
  private readonly describeStatement: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: GuardHookProps) {
    super(scope, id);
    const { resolved, here } = props;
    const timeout = props.timeout ?? Duration.seconds(60);

    // Audit records: kept when the stack goes, like the event function's.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ecs-image-guard deployment hook: read service revisions, images and keys, alert, log',
    });
    this.logGroup.grantWrite(this.role);
    const grant = (statement: iam.PolicyStatement, wildcardReason?: string) => {
      this.role.addToPolicy(statement);
      if (wildcardReason !== undefined) acknowledgeWildcardResources(this.role, statement, wildcardReason);
    };

    const owned = new Map(props.ownedKey ? [[props.ownedKey.alias, props.ownedKey.keyArn]] : []);
    for (const statement of kmsPublicKeyStatements(resolved.scope.kmsKeys, here, owned)) {
      grant(
        statement,
        'kms:GetPublicKey for a policy key named by alias: IAM cannot name a KMS key by alias in Resource, ' +
          'so key/* is narrowed by the kms:RequestAlias condition to the key that alias names.',
      );
    }
    const ecrRead = resolved.scope.needsEcr ? ecrReadStatement(resolved.policy, here.partition) : undefined;
    if (ecrRead !== undefined) {
      grant(
        ecrRead,
        "ECR read (manifests, signature blobs, referrers; no push) on the repositories the policy's image " +
          'patterns can name, to verify the images of a service revision.',
      );
      const auth = ecrAuthStatement();
      const authPolicy = new iam.Policy(this, 'EcrAuthPolicy', { statements: [auth] });
      authPolicy.attachToRole(this.role);
      acknowledgeWildcardResources(
        authPolicy,
        auth,
        'ecr:GetAuthorizationToken has no resource-level permissions, so Resource "*" is the only valid form. ' +
          "The token only carries this role's own ECR permissions.",
      );
    }
    const taskDefinitions = describeTaskDefinitionStatement();
    const taskDefinitionPolicy = new iam.Policy(this, 'EcsTaskDefinitionReadPolicy', {
      statements: [taskDefinitions],
    });
    taskDefinitionPolicy.attachToRole(this.role);
    acknowledgeWildcardResources(
      taskDefinitionPolicy,
      taskDefinitions,
      'ecs:DescribeTaskDefinition has no resource-level permissions, so Resource "*" is the only valid form. ' +
        "Read-only: the hook reads a task definition's container names to tell them from containers AWS injects.",
    );
    grantSignerRevocation(this, this.role, resolved.policy);
    // Resources are added by `protect`: the protected services and their revisions only.
    this.describeStatement = new iam.PolicyStatement({ actions: ['ecs:DescribeServiceRevisions'] });
    grant(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alertTopic.topicArn] }));
    grant(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.alertKey.keyArn],
      }),
    );
    grant(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [props.ledger.tableArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: HOOK_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout,
      role: this.role,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      logGroup: this.logGroup,
      description: 'ecs-image-guard: deployment lifecycle hook (PRE_SCALE_UP), verifies a service revision',
      environment: {
        IMAGE_GUARD_POLICY_FILE: POLICY_FILE_NAME,
        IMAGE_GUARD_POLICY_SHA256: resolved.sha256,
        IMAGE_GUARD_TOPIC_ARN: props.alertTopic.topicArn,
        IMAGE_GUARD_LEDGER_TABLE: props.ledger.tableName,
        // Verification leaves 15 s of the invocation to alert, record and answer.
        IMAGE_GUARD_VERIFY_DEADLINE_MS: String(Math.max(5_000, timeout.toMilliseconds() - 15_000)),
        // The shortest hook timeout of the protected services: the function answers before it.
        IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: Lazy.string({
          produce: () => String(Math.min(...this.timeoutsMinutes, MAX_TIMEOUT_MINUTES) * 60),
        }),
        IMAGE_GUARD_HOOK_CALLBACK_DELAY_SECONDS: String(HOOK_CALLBACK_DELAY_SECONDS),
        IMAGE_GUARD_HOOK_INVOCATION_SECONDS: String(timeout.toSeconds()),
        POWERTOOLS_SERVICE_NAME: 'image-guard',
        POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: lambdaBundling(resolved, {
        externalModules: props.externalModules,
      }),
    });
    this.function.node.addDependency(taskDefinitionPolicy);

    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS invokes the ecs-image-guard deployment hook function (and nothing else)',
    });
    // By hand, not grantInvoke: that also grants the function's versions (`ARN:*`), which ECS never calls.
    this.invokeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
  }

  /** Adds the hook to `service` at PRE_SCALE_UP, with its timeout. Throws (synth fails) where hooks do not run. */
  protect(service: ecs.BaseService, options: ProtectServiceOptions = {}): void {
    const cfn = service.node.defaultChild as ecs.CfnService;
    checkStrategy(service, cfn);
    const minutes = hookTimeoutMinutes(options.hookTimeout, this.function.timeout ?? Duration.seconds(60));
    if (this.describeResources.size === 0) this.role.addToPolicy(this.describeStatement);
    this.describeResourcesFor(service);

    const index = lifecycleHookCount(service);
    service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(this.function, 'ImageGuardHook', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP],
        role: this.invokeRole,
      }),
    );
    // CDK renders only HookTargetArn, RoleArn and LifecycleStages; the timeout goes through the escape hatch.
    cfn.addPropertyOverride(`DeploymentConfiguration.LifecycleHooks.${index}.TimeoutConfiguration`, {
      TimeoutInMinutes: minutes,
      Action: 'ROLLBACK',
    });
    this.timeoutsMinutes.push(minutes);
    // ECS may call the hook on the service's first deployment: the invoke role's policy must exist by then.
    service.node.addDependency(this.invokeRole);
  }

  /**
   * `ecs:DescribeServiceRevisions` needs both the service and its revisions: those of the protected
   * service's cluster. Not the service's own name: the service refers to this function (its hook), so
   * naming the service here would make a dependency cycle; and the function must hold the permission
   * before ECS first calls it (the service's first deployment), so it cannot come after the service.
   */
  private describeResourcesFor(service: ecs.BaseService): void {
    const stack = Stack.of(this);
    const prefix = `arn:${stack.partition}:ecs:${stack.region}:${stack.account}`;
    const cluster = service.cluster.clusterName;
    const services = `${prefix}:service/${cluster}/*`;
    const revisions = `${prefix}:service-revision/${cluster}/*/*`;
    if (this.describeResources.has(revisions)) return;
    this.describeResources.add(revisions);
    const statement = new iam.PolicyStatement({ resources: [services, revisions] });
    this.describeStatement.addResources(services, revisions);
    acknowledgeWildcardResources(
      this.role,
      statement,
      "ecs:DescribeServiceRevisions on the services and revisions of a protected service's cluster (the action " +
        'requires both resources). Revision ids are not known in advance, and the service itself cannot be ' +
        'named without a dependency cycle (it refers to this function), so CLUSTER/* is the narrowest form.',
    );
  }
}

function hookTimeoutMinutes(timeout: Duration | undefined, invocation: Duration): number {
  const minutes = (timeout ?? Duration.minutes(30)).toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < MIN_TIMEOUT_MINUTES || minutes > MAX_TIMEOUT_MINUTES) {
    throw new Error(
      `EcsImageGuard.protectService: hookTimeout must be a whole number of minutes from ${MIN_TIMEOUT_MINUTES} ` +
        `to ${MAX_TIMEOUT_MINUTES} (got ${minutes})`,
    );
  }
  // One round (call-back delay, one invocation, the hook's margin) must fit, or IN_PROGRESS is never answered.
  if (minutes * 60 < HOOK_CALLBACK_DELAY_SECONDS + invocation.toSeconds() + 60 + 60) {
    throw new Error('EcsImageGuard.protectService: hookTimeout is too short for one IN_PROGRESS round');
  }
  return minutes;
}

/** Synth fails with the reason where ECS does not document Lambda lifecycle hooks to run. */
function checkStrategy(service: ecs.BaseService, cfn: ecs.CfnService): void {
  const name = service.node.path;
  const controller = (cfn.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined)
    ?.type;
  if (controller !== undefined && controller !== 'ECS') {
    throw new Error(
      `EcsImageGuard.protectService(${name}): the service uses the ${String(controller)} deployment controller; ` +
        'deployment lifecycle hooks need the ECS deployment controller.',
    );
  }
  const strategy = (cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined)
    ?.strategy;
  if (strategy === undefined || Token.isUnresolved(strategy) || !HOOKED_STRATEGIES.includes(strategy)) {
    throw new Error(
      `EcsImageGuard.protectService(${name}): deployment strategy ${strategy === undefined ? 'ROLLING (the default)' : String(strategy)} ` +
        `is not one where ECS documents Lambda lifecycle hooks to run (${HOOKED_STRATEGIES.join(', ')}): ` +
        'set deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN (a service without a load balancer can use it too). ' +
        'The guard would otherwise seem to protect rollouts it is never asked about; the task event path still checks every task.',
    );
  }
}

/** How many lifecycle hooks the service has so far: the index the next one renders at. */
function lifecycleHookCount(service: ecs.BaseService): number {
  // CDK keeps them in a private list rendered in order; there is no public accessor (aws-cdk-lib 2.276).
  const hooks = (service as unknown as { _lifecycleHooks?: { get(): unknown[] } })._lifecycleHooks;
  if (typeof hooks?.get !== 'function') {
    throw new Error(
      'EcsImageGuard.protectService: cannot find where this aws-cdk-lib version keeps lifecycle hooks, so the hook timeout cannot be set',
    );
  }
  return hooks.get().length;
}
