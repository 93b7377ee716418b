/**
 * `guard.protectService(service)`: the hook function, its execution role and its invoke role, the
 * lifecycle hook on the service with its timeout, and synth errors where hooks do not run. cdk-nag
 * (registered on the app) gates every synth: Template.fromStack throws on an unacknowledged finding.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EcsImageGuard } from '../../lib/image-guard';
import { writePolicy } from './support';

const POLICY = `
mode: enforce
keys: [{ name: ci, kms: arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b }]
rules:
  - name: prod
    match: { clusters: ["prod-*"], images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/**"] }
    keys: [ci]
`;

interface Built {
  stack: Stack;
  guard: EcsImageGuard;
  service: ecs.FargateService;
  cluster: ecs.Cluster;
}

function build(
  options: {
    strategy?: ecs.DeploymentStrategy;
    controller?: ecs.DeploymentControllerType;
    nag?: boolean;
    policy?: string;
  } = {},
): Built {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'HookTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const guard = new EcsImageGuard(stack, 'Guard', { policyFile: writePolicy(options.policy ?? POLICY) });
  const service = sampleService(stack, 'Web', options);
  // The sample service is the user's, not the guard's: its own findings are not this test's subject.
  acknowledgeSample([
    service,
    service.taskDefinition,
    stack.node.findChild('Vpc'),
    stack.node.findChild('Cluster'),
  ]);
  return { stack, guard, service, cluster: service.cluster as ecs.Cluster };
}

/** The sample service is the user's, not the guard's: its own findings are not this test's subject. */
function acknowledgeSample(scopes: IConstruct[]): void {
  for (const scope of scopes)
    for (const c of scope.node.findAll())
      for (const id of [
        'AwsSolutions-ECS4',
        'AwsSolutions-ECS2',
        'AwsSolutions-VPC7',
        'AwsSolutions-EC23',
        'AwsSolutions-IAM5',
        'AwsSolutions-ECS7',
      ])
        Validations.of(c).acknowledge({ id, reason: 'sample service of the test' });
}

function sampleService(
  stack: Stack,
  id: string,
  options: { strategy?: ecs.DeploymentStrategy; controller?: ecs.DeploymentControllerType },
): ecs.FargateService {
  const vpc =
    (stack.node.tryFindChild('Vpc') as ec2.Vpc | undefined) ??
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  const cluster =
    (stack.node.tryFindChild('Cluster') as ecs.Cluster | undefined) ??
    new ecs.Cluster(stack, 'Cluster', { vpc, clusterName: 'prod-eu' });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`);
  taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.0'),
  });
  return new ecs.FargateService(stack, id, {
    cluster,
    taskDefinition,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    assignPublicIp: true,
    ...(options.strategy === undefined ? {} : { deploymentStrategy: options.strategy }),
    ...(options.controller === undefined ? {} : { deploymentController: { type: options.controller } }),
  });
}

const hookFunction = (template: Template) =>
  Object.entries(
    template.findResources('AWS::Lambda::Function', {
      Properties: {
        Handler: 'index.handler',
        Description: Match.stringLikeRegexp('deployment lifecycle hook'),
      },
    }),
  );

describe('protectService', () => {
  it('gives the hook signer:GetRevocationStatus when the policy uses AWS Signer, and not otherwise', () => {
    const signerPolicy = POLICY.replace(
      'keys: [{ name: ci, kms:',
      'keys: [{ name: signer, awsSigner: { signingProfiles: ["arn:aws:signer:eu-west-1:111122223333:/signing-profiles/ci"] } }, { name: ci, kms:',
    ).replace('keys: [ci]', 'keys: [signer]');
    const revocationPoliciesOf = (b: Built) => {
      b.guard.protectService(b.service);
      const template = Template.fromStack(b.stack);
      const hookRole = Object.keys(
        template.findResources('AWS::IAM::Role', {
          Properties: { Description: Match.stringLikeRegexp('deployment hook: read') },
        }),
      );
      expect(hookRole).toHaveLength(1);
      return Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: {
            PolicyDocument: {
              Statement: Match.arrayWith([Match.objectLike({ Action: 'signer:GetRevocationStatus' })]),
            },
          },
        }),
      ).map((p) => (p.Properties as { Roles: { Ref: string }[] }).Roles.map((r) => r.Ref));
    };
    const withSigner = build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN, policy: signerPolicy });
    const roles = revocationPoliciesOf(withSigner).flat();
    const hookRoleId = Object.keys(
      Template.fromStack(withSigner.stack).findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('deployment hook: read') },
      }),
    )[0];
    expect(roles).toContain(hookRoleId);
    expect(roles.length).toBeGreaterThanOrEqual(2); // the event function's role too
    expect(revocationPoliciesOf(build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN }))).toEqual([]);
  });

  it('adds the hook at PRE_SCALE_UP with its invoke role and a 30-minute ROLLBACK timeout (escape hatch)', () => {
    const { stack, guard, service } = build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN });
    const hook = guard.protectService(service);
    const template = Template.fromStack(stack);

    const functions = hookFunction(template);
    expect(functions).toHaveLength(1);
    const [fnId, fn] = functions[0]!;
    expect(fn.Properties.Timeout).toBe(60);
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.Properties.Environment.Variables).toMatchObject({
      IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '1800',
      IMAGE_GUARD_HOOK_CALLBACK_DELAY_SECONDS: '30',
      IMAGE_GUARD_HOOK_INVOCATION_SECONDS: '60',
      IMAGE_GUARD_LEDGER_TABLE: { Ref: stack.getLogicalId(guard.ledger.node.defaultChild as never) },
    });

    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        Strategy: 'BLUE_GREEN',
        LifecycleHooks: [
          {
            HookTargetArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeploymentHookInvokeRole'), 'Arn'] },
            LifecycleStages: ['PRE_SCALE_UP'],
            TimeoutConfiguration: { TimeoutInMinutes: 30, Action: 'ROLLBACK' },
          },
        ],
      },
    });

    // The invoke role: trusted by ecs.amazonaws.com only, lambda:InvokeFunction on the hook function only.
    const invokeRoleId = stack.getLogicalId(hook.invokeRole.node.defaultChild as never);
    expect(template.toJSON().Resources[invokeRoleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    const invokePolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === invokeRoleId),
    );
    expect(invokePolicies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    ]);

    // The event function now reads the hook's approvals.
    const eventFn =
      template.toJSON().Resources[stack.getLogicalId(guard.function.node.defaultChild as never)];
    expect(eventFn.Properties.Environment.Variables.IMAGE_GUARD_APPROVED_DIGESTS).toBe('ledger');
  });

  it("the hook function's role: DescribeServiceRevisions on the protected service's cluster only; no StopTask", () => {
    const { stack, guard, service } = build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN });
    const hook = guard.protectService(service);
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(hook.role.node.defaultChild as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
      .flatMap(
        (p) =>
          p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
      );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toEqual(
      expect.arrayContaining([
        'ecs:DescribeServiceRevisions',
        'sns:Publish',
        'dynamodb:PutItem',
        'kms:GetPublicKey',
      ]),
    );
    expect(actions.filter((a) => a.startsWith('ecs:'))).toEqual(
      expect.arrayContaining(['ecs:DescribeServiceRevisions', 'ecs:DescribeTaskDefinition']),
    );
    expect(actions).not.toContain('ecs:StopTask');
    expect(actions).not.toContain('lambda:InvokeFunction');
    const describe = statements.find((s) => s.Action === 'ecs:DescribeServiceRevisions')!;
    const resources = JSON.stringify(stack.resolve(describe.Resource));
    expect(resources).toContain(':service/');
    expect(resources).toContain(':service-revision/');
    // The cluster's own name, never every cluster (`service/*`).
    expect(resources).toContain(
      JSON.stringify({ Ref: stack.getLogicalId(service.cluster.node.defaultChild as never) }),
    );
    expect(resources).not.toContain('service/*');
    expect((describe.Resource as unknown[]).length).toBe(2);
  });

  it('sets the configured timeout, and the function answers before the shortest one', () => {
    const { stack, guard, service } = build({ strategy: ecs.DeploymentStrategy.CANARY });
    guard.protectService(service, { hookTimeout: Duration.minutes(45) });
    const other = sampleService(stack, 'Api', { strategy: ecs.DeploymentStrategy.LINEAR });
    acknowledgeSample([other, other.taskDefinition]);
    guard.protectService(other, { hookTimeout: Duration.minutes(20) });
    const template = Template.fromStack(stack, { skipCyclicalDependenciesCheck: true });
    const services = Object.values(template.findResources('AWS::ECS::Service'));
    expect(
      services.map((s) => s.Properties.DeploymentConfiguration.LifecycleHooks[0].TimeoutConfiguration),
    ).toEqual([
      { TimeoutInMinutes: 45, Action: 'ROLLBACK' },
      { TimeoutInMinutes: 20, Action: 'ROLLBACK' },
    ]);
    const [, fn] = hookFunction(template)[0]!;
    expect(fn.Properties.Environment.Variables.IMAGE_GUARD_HOOK_TIMEOUT_SECONDS).toBe('1200');
    expect(hookFunction(template)).toHaveLength(1);
  });

  it("puts the timeout on the guard's hook when the service already has another one", () => {
    const { stack, guard, service } = build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN, nag: false });
    const other = new lambda.Function(stack, 'OtherHook', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" })'),
    });
    service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(other, 'Other', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP],
      }),
    );
    guard.protectService(service);
    const hooks =
      Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(service.node.defaultChild as never)]
        .Properties.DeploymentConfiguration.LifecycleHooks;
    expect(hooks).toHaveLength(2);
    expect(hooks[0].TimeoutConfiguration).toBeUndefined();
    expect(hooks[1]).toMatchObject({
      LifecycleStages: ['PRE_SCALE_UP'],
      TimeoutConfiguration: { TimeoutInMinutes: 30 },
    });
  });

  it.each([
    [
      'ROLLING (no strategy)',
      {},
      /deployment strategy ROLLING \(the default\) is not one where ECS documents Lambda lifecycle hooks/,
    ],
    ['ROLLING', { strategy: ecs.DeploymentStrategy.ROLLING }, /deployment strategy ROLLING is not one where/],
    [
      'CODE_DEPLOY controller',
      { controller: ecs.DeploymentControllerType.CODE_DEPLOY },
      /CODE_DEPLOY deployment controller/,
    ],
  ])('fails synth for %s, with the reason', (_name, options, message) => {
    const { guard, service } = build({ ...options, nag: false });
    expect(() => guard.protectService(service)).toThrow(message);
  });

  it.each([
    [Duration.minutes(2), /from 5 to 1440/],
    [Duration.minutes(1441), /from 5 to 1440/],
    [Duration.seconds(390), /whole number of minutes/],
  ])('rejects a hook timeout of %s', (timeout, message) => {
    const { guard, service } = build({ strategy: ecs.DeploymentStrategy.BLUE_GREEN, nag: false });
    expect(() => guard.protectService(service, { hookTimeout: timeout })).toThrow(message);
  });
});
