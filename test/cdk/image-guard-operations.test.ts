/**
 * Operating the guard: where its own alarms go (ops topic or alert topic), the signing key surviving the
 * README's rollout (default → policy file), what synth says about the policy, and the stack's output
 * names against the README. Bundling is skipped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Duration, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ImageGuardStack } from '../../lib/image-guard-stack';
import { resolvePolicy } from '../../lib/guard-policy';
import { describePolicy } from '../../lib/policy-summary';
import { REPO_ROOT, statementsFor, synthGuard, writePolicy } from './support';

// Template JSON is untyped by nature; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ENFORCE_PROD = `
mode: audit
noMatch: allow
keys: [{ name: ci, kms: alias/ecs-image-guard }]
rules:
  - name: prod
    match: { clusters: ["prod-*"], images: ["ghcr.io/acme/**"] }
    keys: [ci]
    mode: enforce
  - name: staging
    match: { clusters: ["staging-*"] }
    keys: [ci]
`;

const topicIds = (template: Template) => Object.keys(template.findResources('AWS::SNS::Topic'));
const topicIdNamed = (template: Template, prefix: string) => {
  const ids = topicIds(template).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const alarmActions = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r: Json) => r.Properties.AlarmActions);

describe('operator alarms', () => {
  it('go to their own topic when opsEmails are given: encrypted, TLS-only, publishable by alarms', () => {
    const { template } = synthGuard({ alertEmails: ['team@example.com'], opsEmails: ['ops@example.com'] });
    const ops = topicIdNamed(template, 'GuardOpsTopic');
    const alert = topicIdNamed(template, 'GuardAlertTopic');
    const actions = alarmActions(template);
    expect(actions.length).toBe(9);
    for (const a of actions) expect(a).toEqual([{ Ref: ops }]);

    const alertKey = template.toJSON().Resources[alert].Properties.KmsMasterKeyId;
    expect(template.toJSON().Resources[ops].Properties.KmsMasterKeyId).toEqual(alertKey);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ops }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    const subs = Object.values(template.findResources('AWS::SNS::Subscription')).map((r: Json) => [
      r.Properties.Endpoint,
      r.Properties.TopicArn,
    ]);
    expect(subs.sort()).toEqual([
      ['ops@example.com', { Ref: ops }],
      ['team@example.com', { Ref: alert }],
    ]);
    // The verifier publishes alerts only: it may not publish to the operators' topic.
    expect(statementsFor(template, 'sns:Publish').map((st) => st.Resource)).toEqual([{ Ref: alert }]);
  });

  it('keep going to the alert topic when no opsEmails are given (an upgrade loses no alarm)', () => {
    const { template } = synthGuard({ opsEmails: [] });
    const [alert] = topicIds(template);
    expect(topicIds(template)).toHaveLength(1);
    for (const a of alarmActions(template)) expect(a).toEqual([{ Ref: alert }]);
  });

  it('fire on an event age above the configured threshold', () => {
    const { template } = synthGuard({ eventAgeAlarmThreshold: Duration.minutes(30) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AsyncEventAge',
      Threshold: 30 * 60 * 1000,
    });
  });
});

describe('the signing key across the rollout (default → policy file)', () => {
  const signingKey = (template: Template) => {
    const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(
      ([, r]: [string, Json]) => r.Properties.KeyUsage === 'SIGN_VERIFY',
    );
    return keys as Array<[string, Json]>;
  };
  const aliases = (template: Template) =>
    Object.entries(template.findResources('AWS::KMS::Alias')).map(([id, r]: [string, Json]) => [
      id,
      r.Properties.AliasName,
      r.Properties.TargetKeyId,
    ]);

  const before = synthGuard();
  const policy = writePolicy(ENFORCE_PROD);
  const after = synthGuard({ policyFile: policy, keepDefaultSigningKey: true });

  it('keeps the key and its alias under the same logical ids, retained', () => {
    const [[beforeId, beforeKey]] = signingKey(before.template) as [[string, Json]];
    const kept = signingKey(after.template);
    expect(kept.map(([id]) => id)).toEqual([beforeId]);
    expect(kept[0]![1]).toEqual(beforeKey);
    expect(kept[0]![1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(aliases(after.template)).toEqual(aliases(before.template));
    expect(aliases(after.template).map(([, name]) => name)).toEqual(['alias/ecs-image-guard']);
  });

  it("grants the policy's use of the kept alias by the key's ARN", () => {
    const [[keyId]] = signingKey(after.template) as [[string, Json]];
    expect(
      statementsFor(after.template, 'kms:GetPublicKey').map((st) => [st.Resource, st.Condition]),
    ).toEqual([[{ 'Fn::GetAtt': [keyId, 'Arn'] }, undefined]]);
    expect(after.guard.outputs.SignCommand).toBeDefined();
  });

  it('has no signing key with a policy file unless asked, and says what that does to an earlier key', () => {
    const { template, stack } = synthGuard({ policyFile: policy });
    expect(signingKey(template)).toEqual([]);
    expect(aliases(template)).toEqual([]);
    Annotations.fromStack(stack).hasInfo(
      '/GuardTest/Guard',
      Match.stringLikeRegexp('signing key: none.*deletes its key alias.*keepSigningKey=true'),
    );
  });
});

describe('what synth says about the deployment', () => {
  it('says a default deployment is the default policy, audits everywhere and stops nothing', () => {
    const { stack } = synthGuard();
    const info = Annotations.fromStack(stack).findInfo('/GuardTest/Guard', Match.anyValue());
    expect(info).toHaveLength(1);
    const text = info[0]!.entry.data as string;
    expect(text).toContain('policy: the DEFAULT policy (no policy file given)');
    expect(text).toContain('images no rule matches: denied and alerted, never stopped');
    expect(text).toContain('may stop tasks in: no cluster');
    expect(text).toContain('signing key: alias/ecs-image-guard');
    expect(text).toContain('alarms on the guard itself: to the alert topic');
    expect(text).toContain('reserved concurrency: none');
  });

  it('lists where a policy enforces and audits, and what happens to unmatched images and errors', () => {
    const resolved = resolvePolicy({ policyFile: writePolicy(ENFORCE_PROD) }, 'alias/unused');
    const lines = describePolicy(resolved);
    expect(lines[0]).toMatch(/^policy: .*policy\.yaml \(sha256 [0-9a-f]{12}…\)$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        'rule prod: ENFORCES (stops failing tasks) in clusters prod-*, for images ghcr.io/acme/**',
        'rule staging: audits (alerts only) in clusters staging-*, for images (all)',
        'images no rule matches: allowed without verification (noMatch: allow)',
        'verification errors (onError: alert): alerted, the task keeps running',
        'may stop tasks in: prod-*',
      ]),
    );
  });

  it('says unmatched images are stopped everywhere under top-level enforce with noMatch: deny', () => {
    const resolved = resolvePolicy(
      {
        policyFile: writePolicy(
          'mode: enforce\nnoMatch: deny\nonError: stop\nkeys: [{ name: ci, kms: alias/ci }]\n' +
            'rules: [{ name: prod, match: { clusters: ["prod-*"] }, keys: [ci] }]\n',
        ),
      },
      'alias/unused',
    );
    expect(describePolicy(resolved)).toEqual(
      expect.arrayContaining([
        'images no rule matches: DENIED and the task stopped, in every cluster (noMatch: deny, top-level mode enforce)',
        'verification errors (onError: stop): the task is stopped where the failing rule enforces, alerted where it audits',
        'may stop tasks in: every cluster of this account and region',
      ]),
    );
  });
});

describe('ImageGuardStack outputs', () => {
  it('carry exactly the names the README documents', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new ImageGuardStack(app, 'EcsImageGuard', {
      guard: { opsEmails: ['ops@example.com'], keepDefaultSigningKey: true },
    });
    const names = Object.keys(Template.fromStack(stack).findOutputs('*')).sort();
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const paragraph = /^Outputs: ([\s\S]+?)\n\n/m.exec(readme)?.[1] ?? '';
    const documented = [...paragraph.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((m) => m[1]!);
    expect(names).toEqual([...new Set(documented)].sort());
  });
});
