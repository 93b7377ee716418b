/**
 * The sweep in the template: the schedule, the role EventBridge Scheduler assumes, the sweep function
 * and its least-privilege role (cdk-nag runs on every synth here: Template.fromStack throws on a finding).
 */
import { type CfnElement, Duration, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Template } from 'aws-cdk-lib/assertions';
import { actionsOf, render, resourcesOf, synthGuard, writePolicy } from './support';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const SCOPED = writePolicy(`
mode: enforce
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: prod
    match: { clusters: [prod-eu, prod-us] }
    keys: [ci]
`);
const PATTERN = writePolicy(`
mode: enforce
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: prod
    match: { clusters: ["prod-*"] }
    keys: [ci]
`);
const AUDIT_ONLY = writePolicy(`
mode: audit
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: prod
    match: { clusters: [prod-eu] }
    keys: [ci]
`);

/** The logical id of a construct's CloudFormation resource. */
function idOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every statement of the policies attached to one role. */
function statementsOfRole(template: Template, role: string): Statement[] {
  const out: Statement[] = [];
  for (const p of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (p.Properties.Roles ?? []) as { Ref?: string }[];
    if (roles.some((r) => r.Ref === role))
      out.push(...(p.Properties.PolicyDocument.Statement as Statement[]));
  }
  return out;
}

const withAction = (statements: Statement[], action: string) =>
  statements.filter((s) => actionsOf(s as never).includes(action));

describe('the sweep is on when an interval is given', () => {
  const { template, stack, guard } = synthGuard({ policyFile: SCOPED, sweepInterval: Duration.minutes(15) });
  const sweepRole = idOf(stack, guard.sweep!.role);
  const schedulerRole = idOf(stack, guard.sweep!.schedulerRole);
  const sweepFunction = idOf(stack, guard.sweep!.function);

  it('schedules the sweep function every 15 minutes through its own role, without retries', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    const props = schedules[0]!.Properties;
    expect(props.ScheduleExpression).toBe('rate(15 minutes)');
    expect(props.State).toBe('ENABLED');
    expect(props.Target.Arn).toEqual({ 'Fn::GetAtt': [sweepFunction, 'Arn'] });
    expect(props.Target.RoleArn).toEqual({ 'Fn::GetAtt': [schedulerRole, 'Arn'] });
    expect(props.Target.RetryPolicy).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  it("the scheduler's role is trusted by scheduler.amazonaws.com of this account and may only invoke the sweep", () => {
    const role = template.findResources('AWS::IAM::Role')[schedulerRole]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': expect.anything(),
          },
        },
      },
    ]);
    expect(
      render(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['aws:SourceArn']),
    ).toBe('arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default');
    const statements = statementsOfRole(template, schedulerRole);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('lambda:InvokeFunction');
    expect(resourcesOf(statements[0] as never).map(render)).toEqual([
      `\${${sweepFunction}.Arn}`,
      `\${${sweepFunction}.Arn}:*`,
    ]);
  });

  it('runs the sweep handler with the verifier environment, a 5-minute timeout and no async retries', () => {
    const fn = template.findResources('AWS::Lambda::Function')[sweepFunction]!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 300,
      Role: { 'Fn::GetAtt': [sweepRole, 'Arn'] },
      Environment: {
        Variables: expect.objectContaining({
          IMAGE_GUARD_POLICY_FILE: 'policy.json',
          IMAGE_GUARD_POLICY_SHA256: guard.resolvedPolicy.sha256,
          IMAGE_GUARD_LEASE_SECONDS: '330',
          POWERTOOLS_SERVICE_NAME: 'image-guard-sweep',
        }),
      },
    });
    const config = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).find((c) =>
      JSON.stringify(c.Properties.FunctionName).includes(sweepFunction),
    );
    expect(config?.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('lists tasks of the named clusters only (ecs:cluster condition), without ListClusters', () => {
    const statements = statementsOfRole(template, sweepRole);
    const list = withAction(statements, 'ecs:ListTasks');
    expect(list).toHaveLength(1);
    expect(list[0]!.Resource).toBe('*');
    expect((list[0]!.Condition!.ArnLike!['ecs:cluster'] as unknown[]).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-eu',
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-us',
    ]);
    expect(withAction(statements, 'ecs:ListClusters')).toHaveLength(0);
    const describe = withAction(statements, 'ecs:DescribeTasks');
    expect(describe).toHaveLength(1);
    expect(resourcesOf(describe[0] as never).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-eu/*',
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-us/*',
    ]);
  });

  it('may stop tasks of the enforcing clusters only, and reads remembered decisions in batches', () => {
    const statements = statementsOfRole(template, sweepRole);
    const stop = withAction(statements, 'ecs:StopTask');
    expect(stop).toHaveLength(1);
    expect(resourcesOf(stop[0] as never).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-eu/*',
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-us/*',
    ]);
    const ledger = idOf(stack, guard.ledger);
    const batch = withAction(statements, 'dynamodb:BatchGetItem');
    expect(batch).toHaveLength(1);
    expect(batch[0]!.Resource).toEqual({ 'Fn::GetAtt': [ledger, 'Arn'] });
    const publish = withAction(statements, 'sns:Publish');
    expect(publish).toHaveLength(1);
    // No wildcard action anywhere.
    for (const s of statements) for (const a of actionsOf(s as never)) expect(a).not.toContain('*');
  });

  it('alarms on a failed run', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(sweepFunction),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({ MetricName: 'Errors', Threshold: 0 });
  });
});

describe('ListClusters and StopTask follow the policy', () => {
  it('a cluster pattern needs ListClusters (and nothing narrows it); exact names do not', () => {
    const { template, stack, guard } = synthGuard({
      policyFile: PATTERN,
      sweepInterval: Duration.minutes(30),
    });
    const statements = statementsOfRole(template, idOf(stack, guard.sweep!.role));
    const list = withAction(statements, 'ecs:ListClusters');
    expect(list).toHaveLength(1);
    expect(list[0]!.Resource).toBe('*');
    expect(
      (withAction(statements, 'ecs:ListTasks')[0]!.Condition!.ArnLike!['ecs:cluster'] as unknown[]).map(
        render,
      ),
    ).toEqual(['arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-*']);
    expect(
      Object.values(template.findResources('AWS::Scheduler::Schedule'))[0]!.Properties.ScheduleExpression,
    ).toBe('rate(30 minutes)');
  });

  it('the default policy (every cluster) lists clusters; an audit-only policy never stops', () => {
    const all = synthGuard({ sweepInterval: Duration.minutes(15) });
    const allStatements = statementsOfRole(all.template, idOf(all.stack, all.guard.sweep!.role));
    expect(withAction(allStatements, 'ecs:ListClusters')).toHaveLength(1);
    expect(withAction(allStatements, 'ecs:StopTask')).toHaveLength(0);

    const audit = synthGuard({ policyFile: AUDIT_ONLY, sweepInterval: Duration.minutes(15) });
    const auditStatements = statementsOfRole(audit.template, idOf(audit.stack, audit.guard.sweep!.role));
    expect(withAction(auditStatements, 'ecs:StopTask')).toHaveLength(0);
    expect(withAction(auditStatements, 'ecs:ListClusters')).toHaveLength(0);
  });
});

describe('the sweep is off', () => {
  it('without an interval, or with 0 minutes: no function, no schedule, no role', () => {
    for (const props of [{}, { sweepInterval: Duration.minutes(0) }]) {
      const { template, guard } = synthGuard({ policyFile: SCOPED, ...props });
      expect(guard.sweep).toBeUndefined();
      expect(Object.keys(template.findResources('AWS::Scheduler::Schedule'))).toHaveLength(0);
      expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(1);
    }
  });
});

describe('settings checked at synth', () => {
  it('refuses an interval that is not whole minutes from 1 to 1440, and a timeout longer than the interval', () => {
    expect(() => synthGuard({ sweepInterval: Duration.seconds(90) })).toThrow(
      /sweepInterval must be a whole number of minutes/,
    );
    expect(() => synthGuard({ sweepInterval: Duration.days(2) })).toThrow(/sweepInterval/);
    expect(() =>
      synthGuard({ sweepInterval: Duration.minutes(5), sweepTimeout: Duration.minutes(10) }),
    ).toThrow(/sweepTimeout .* no longer than the interval/);
    expect(() => synthGuard({ sweepInterval: Duration.minutes(1) })).toThrow(
      /leave at least 20 s beyond the verify deadline/,
    );
  });
});
