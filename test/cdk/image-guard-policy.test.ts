/**
 * The guard with written policies: IAM and the event filter follow the policy's scope; a bad policy
 * fails the synth with the field path. Bundling is skipped here (the bundle is irrelevant to these).
 */
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { loadPolicyFile } from '../../lambda/policy/load';
import { policySha256 } from '../../lambda/policy/hash';
import { REPO_ROOT, render, resourcesOf, statementsFor, synthGuard, writePolicy } from './support';

const vendorPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

const PROD_POLICY = `
mode: audit
noMatch: allow
keys:
  - name: ci
    kms: alias/ci-signing
  - name: org
    kms: arn:aws:kms:eu-west-1:444455556666:alias/org-signing
  - name: pinned
    kms: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
  - name: vendor
    publicKeyFile: vendor.pub
  - name: unused
    kms: alias/not-used-by-any-rule
rules:
  - name: prod-ecr
    match:
      clusters: ["prod-*"]
      images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/**", "ghcr.io/acme/*"]
    keys: [ci, org, pinned, vendor]
    mode: enforce
`;

describe('a policy scoped to prod-* clusters, enforcing', () => {
  const file = writePolicy(PROD_POLICY, { 'vendor.pub': vendorPem });
  const { template, guard } = synthGuard({ policyFile: file });

  it('filters events to the prod-* clusters of this account', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!;
    const clusterArn = rule.Properties.EventPattern.detail.clusterArn as Array<{ wildcard: unknown }>;
    expect(clusterArn.map((v) => render(v.wildcard))).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-*',
    ]);
  });

  it('may stop tasks of prod-* clusters only (task/prod-*/* and the ecs:cluster condition)', () => {
    const stop = statementsFor(template, 'ecs:StopTask');
    expect(stop).toHaveLength(1);
    expect(stop[0]!.Action).toBe('ecs:StopTask');
    expect(resourcesOf(stop[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-*/*',
    ]);
    const condition = (stop[0]!.Condition as { ArnLike: { 'ecs:cluster': unknown[] } }).ArnLike[
      'ecs:cluster'
    ];
    expect(condition.map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-*',
    ]);
  });

  it('reads ECS tasks and service revisions of the prod-* clusters only', () => {
    const tasks = statementsFor(template, 'ecs:DescribeTasks');
    expect(tasks).toHaveLength(1);
    expect(resourcesOf(tasks[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-*/*',
    ]);
    const condition = (tasks[0]!.Condition as { ArnLike: { 'ecs:cluster': unknown[] } }).ArnLike[
      'ecs:cluster'
    ];
    expect(condition.map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod-*',
    ]);
    const revisions = statementsFor(template, 'ecs:DescribeServiceRevisions');
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.Action).toBe('ecs:DescribeServiceRevisions');
    expect(resourcesOf(revisions[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/prod-*/*',
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service-revision/prod-*/*/*',
    ]);
    expect(statementsFor(template, 'ecs:DescribeTaskDefinition').map((st) => st.Resource)).toEqual(['*']);
  });

  it("grants kms:GetPublicKey on exactly the rule's KMS keys (not the unused one)", () => {
    const kms = statementsFor(template, 'kms:GetPublicKey').map((s) => ({
      resource: render(s.Resource),
      condition: s.Condition,
    }));
    expect(kms).toEqual([
      {
        resource: 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*',
        condition: { StringEquals: { 'kms:RequestAlias': 'alias/ci-signing' } },
      },
      {
        resource: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        condition: undefined,
      },
      {
        resource: 'arn:aws:kms:eu-west-1:444455556666:key/*',
        condition: { StringEquals: { 'kms:RequestAlias': 'alias/org-signing' } },
      },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('not-used-by-any-rule');
    expect(guard.signingKey).toBeUndefined();
    expect(template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } })).toEqual({});
  });

  it('reads only the ECR repositories the rule names, with a separate token statement', () => {
    const read = statementsFor(template, 'ecr:BatchGetImage');
    expect(read).toHaveLength(1);
    expect(read[0]!.Action).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(resourcesOf(read[0]!).map(render)).toEqual([
      'arn:aws:ecr:eu-west-1:111122223333:repository/team/*',
    ]);
    const auth = statementsFor(template, 'ecr:GetAuthorizationToken');
    expect(auth).toEqual([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
  });

  it('compiles the policy as the loader does (publicKeyFile inlined) and hashes it', () => {
    const expected = loadPolicyFile(file);
    expect(guard.resolvedPolicy.policy).toEqual(expected);
    expect(JSON.parse(guard.resolvedPolicy.json)).toEqual(expected);
    expect(guard.resolvedPolicy.json).toContain('BEGIN PUBLIC KEY');
    expect(guard.resolvedPolicy.sha256).toBe(policySha256(expected));
  });
});

describe('a policy that applies to every cluster', () => {
  const file = writePolicy(`
mode: enforce
noMatch: deny
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: prod
    match: { clusters: ["prod-*"] }
    keys: [ci]
`);
  const { template } = synthGuard({ policyFile: file });

  it('may stop tasks in any cluster of this account and region (noMatch: deny applies everywhere)', () => {
    const stop = statementsFor(template, 'ecs:StopTask');
    expect(resourcesOf(stop[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*/*',
    ]);
    const condition = (stop[0]!.Condition as { ArnLike: { 'ecs:cluster': unknown[] } }).ArnLike[
      'ecs:cluster'
    ];
    expect(condition.map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/*',
    ]);
  });

  it('does not filter events by cluster', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!;
    expect(rule.Properties.EventPattern.detail.clusterArn).toBeUndefined();
  });
});

describe('policy.example.yaml (audit by default, noMatch: deny, one enforce rule on prod-*)', () => {
  const { template } = synthGuard({ policyFile: path.join(REPO_ROOT, 'policy.example.yaml') });

  it('receives events from every cluster (noMatch: deny applies everywhere) ...', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!;
    expect(rule.Properties.EventPattern.detail.clusterArn).toBeUndefined();
  });

  it('... but may stop tasks only in prod-*, where the enforce rule applies (audit never stops)', () => {
    const stop = statementsFor(template, 'ecs:StopTask');
    expect(stop).toHaveLength(1);
    expect(resourcesOf(stop[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod-*/*',
    ]);
  });

  it('grants GetPublicKey on its two KMS keys and ECR read for any ECR registry (its image globs)', () => {
    expect(statementsFor(template, 'kms:GetPublicKey').map((s) => [render(s.Resource), s.Condition])).toEqual(
      [
        [
          'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*',
          { StringEquals: { 'kms:RequestAlias': 'alias/platform-image-signing' } },
        ],
        ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', undefined],
      ],
    );
    expect(resourcesOf(statementsFor(template, 'ecr:BatchGetImage')[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecr:*:*:repository/*',
    ]);
  });
});

describe('top-level audit with an enforce rule that names no clusters', () => {
  it('may stop tasks in every cluster', () => {
    const file = writePolicy(`
mode: audit
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: everywhere
    match: { images: ["ghcr.io/acme/**"] }
    keys: [ci]
    mode: enforce
`);
    const { template } = synthGuard({ policyFile: file });
    expect(resourcesOf(statementsFor(template, 'ecs:StopTask')[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*/*',
    ]);
  });
});

describe('a cluster-scoped policy that never enforces', () => {
  it('gets no ecs:StopTask at all, but still a cluster-filtered rule', () => {
    const file = writePolicy(`
mode: audit
noMatch: allow
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: payments
    match: { clusters: ["arn:aws:ecs:eu-west-1:111122223333:cluster/payments"], images: ["ghcr.io/acme/**"] }
    keys: [ci]
`);
    const { template } = synthGuard({ policyFile: file });
    expect(statementsFor(template, 'ecs:StopTask')).toEqual([]);
    // It still reads tasks of the cluster it applies to (the digest fallback), and only there.
    expect(resourcesOf(statementsFor(template, 'ecs:DescribeTasks')[0]!)).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:task/payments/*',
    ]);
    expect(resourcesOf(statementsFor(template, 'ecs:DescribeServiceRevisions')[0]!)).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:service/payments/*',
      'arn:aws:ecs:eu-west-1:111122223333:service-revision/payments/*/*',
    ]);
    // Only ghcr.io images are verified: no ECR permission at all.
    expect(statementsFor(template, 'ecr:GetAuthorizationToken')).toEqual([]);
    expect(statementsFor(template, 'ecr:BatchGetImage')).toEqual([]);
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!;
    expect(rule.Properties.EventPattern.detail.clusterArn).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:cluster/payments',
    ]);
  });
});

describe('policy input', () => {
  it('accepts an already-loaded Policy object and validates it the same way', () => {
    const policy = loadPolicyFile(writePolicy(PROD_POLICY, { 'vendor.pub': vendorPem }));
    const { guard } = synthGuard({ policy });
    expect(guard.resolvedPolicy.sha256).toBe(policySha256(policy));
    const broken = { ...policy, rules: [{ ...policy.rules[0]!, keys: ['nope'] }] };
    expect(() => synthGuard({ policy: broken })).toThrow(/rules\[0\]\.keys\[0\]: unknown key "nope"/);
  });

  it('fails the synth on a bad policy file with the file, the field path and the reason', () => {
    const file = writePolicy(`
mode: enforced
keys: [{ name: ci, kms: alias/ci-signing }]
rules:
  - name: r
    keys: [ci, vendr]
`);
    let message = '';
    try {
      synthGuard({ policyFile: file });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('EcsImageGuard: invalid policy');
    expect(message).toContain(`${file}: mode: must be one of: enforce, audit`);
    expect(message).toContain(`${file}: rules[0].keys[1]: unknown key "vendr"`);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace in the message
  });

  it('fails the synth when the policy file does not exist', () => {
    expect(() => synthGuard({ policyFile: '/nonexistent/policy.yaml' })).toThrow(
      /\/nonexistent\/policy\.yaml: cannot read the policy file \(ENOENT\)/,
    );
  });

  it('refuses policy and policyFile together', () => {
    const file = writePolicy(PROD_POLICY, { 'vendor.pub': vendorPem });
    expect(() => synthGuard({ policyFile: file, policy: loadPolicyFile(file) })).toThrow(
      /either `policy` or `policyFile`/,
    );
  });
});

describe('construct settings', () => {
  it('passes memory, timeout, concurrency, retention and the verify deadline through', () => {
    const { template } = synthGuard({
      memorySize: 1024,
      timeout: Duration.seconds(90),
      verifyDeadline: Duration.seconds(70),
      reservedConcurrency: 5,
      logRetention: 30,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 90,
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: { IMAGE_GUARD_VERIFY_DEADLINE_MS: '70000', IMAGE_GUARD_LEASE_SECONDS: '120' },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('accepts reserved concurrency 0 (Lambda kill switch: every event goes to the failed-events queue)', () => {
    const { template } = synthGuard({ reservedConcurrency: 0 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 0 });
  });

  it('derives the verify deadline from the timeout, leaving time to stop, alert and log', () => {
    const { template } = synthGuard({ timeout: Duration.seconds(20) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { IMAGE_GUARD_VERIFY_DEADLINE_MS: '10000' } },
    });
  });

  it('rejects a deadline not shorter than the timeout, bad concurrency, and bad emails', () => {
    expect(() => synthGuard({ timeout: Duration.seconds(30), verifyDeadline: Duration.seconds(30) })).toThrow(
      /verifyDeadline \(30000 ms\) must be at least 1 s and shorter than the Lambda timeout \(30000 ms\)/,
    );
    expect(() => synthGuard({ verifyDeadline: Duration.millis(500) })).toThrow(/verifyDeadline \(500 ms\)/);
    expect(() => synthGuard({ reservedConcurrency: 1.5 })).toThrow(/reservedConcurrency/);
    expect(() => synthGuard({ reservedConcurrency: -1 })).toThrow(/reservedConcurrency/);
    expect(() => synthGuard({ alertEmails: ['ops'] })).toThrow(/alertEmails: "ops" is not an email address/);
    expect(() => synthGuard({ opsEmails: ['ops'] })).toThrow(/opsEmails: "ops" is not an email address/);
    expect(() => synthGuard({ eventAgeAlarmThreshold: Duration.hours(6) })).toThrow(
      /eventAgeAlarmThreshold \(21600000 ms\) must be above 0 and below 6 hours/,
    );
  });

  it('creates the signing key under the alias it is given', () => {
    const { template } = synthGuard({ signingKeyAlias: 'alias/team-a/signing' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/team-a/signing' });
    const policyJson = JSON.stringify(template.toJSON());
    expect(policyJson).not.toContain('alias/ecs-image-guard');
  });
});
