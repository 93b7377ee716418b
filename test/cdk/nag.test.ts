/**
 * cdk-nag (AwsSolutions, v3 policy-validation plugin) as a gate: Template.fromStack throws when a
 * finding is not acknowledged. The guard synthesizes clean, its acknowledgements are exactly the
 * reviewed ones, and the gate does fail on a real finding (so "clean" means something).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EcsImageGuard } from '../../lib/image-guard';
import { ImageGuardStack } from '../../lib/image-guard-stack';
import { synthGuard, writePolicy } from './support';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function appWithNag(): App {
  const app = new App({ context: NO_BUNDLING });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** `path → acknowledged ids` as recorded by Validations.acknowledge (the `Annotation::` prefix removed). */
function acknowledgements(scope: IConstruct): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const ids = Object.keys(m.data as Record<string, string>).map((k) => k.replace(/^annotation::/i, ''));
      (out[c.node.path] ??= []).push(...ids);
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('passes the stack bin/app.ts builds with no context (default policy)', () => {
    const app = appWithNag();
    const stack = new ImageGuardStack(app, 'EcsImageGuard');
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(acknowledgements(stack)).toEqual({
      'EcsImageGuard/ImageGuard/FailedEventsQueue': ['AwsSolutions-SQS3'],
      'EcsImageGuard/ImageGuard/UndeliveredEventsQueue': ['AwsSolutions-SQS3'],
      'EcsImageGuard/ImageGuard/Role': [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service-revision/*/*/*]',
        // service/*/* again: ecs:ListServiceDeployments, its own statement and reason.
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:*:*:repository/*]',
      ],
      'EcsImageGuard/ImageGuard/EcsTaskDefinitionReadPolicy': ['AwsSolutions-IAM5[Resource::*]'],
      'EcsImageGuard/ImageGuard/EcrAuthPolicy': ['AwsSolutions-IAM5[Resource::*]'],
    });
  });

  it('passes an enforcing, cluster-scoped policy with granular acknowledgements only', () => {
    const file = writePolicy(`
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: prod
    match: { clusters: ["prod-*"], images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/**"] }
    keys: [ci]
    mode: enforce
`);
    const { stack } = synthGuard({ policyFile: file }); // throws if any finding is unacknowledged
    expect(acknowledgements(stack)['GuardTest/Guard/Role']!.sort()).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service-revision/prod-*/*/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/prod-*/*]',
      // service/prod-*/* twice: ecs:DescribeServiceRevisions and ecs:ListServiceDeployments.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/prod-*/*]',
      // task/prod-*/* twice: once for ecs:DescribeTasks, once for ecs:StopTask, each with its own reason.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/prod-*/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/prod-*/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecr:eu-west-1:111122223333:repository/*]',
    ]);
  });

  it('fails the gate on a real finding: an SNS topic without enforceSSL', () => {
    const app = appWithNag();
    const stack = new Stack(app, 'Broken');
    new sns.Topic(stack, 'PlainTopic');
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-SNS3/);
  });

  it('does not let its acknowledgements cover a wildcard added to the guard role later', () => {
    const app = appWithNag();
    const stack = new Stack(app, 'Extended');
    const guard = new EcsImageGuard(stack, 'Guard');
    guard.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }),
    );
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::bucket\/\*\]/);
  });
});
