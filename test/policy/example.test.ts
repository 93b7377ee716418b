import path from 'node:path';
import { loadPolicyFile } from '../../lambda/policy/load';
import { decideContainer, matchContainer } from '../../lambda/policy/evaluate';
import { policyScope } from '../../lambda/policy/scope';
import { ReasonCode } from '../../lambda/reasons';
import { REPO_ROOT } from './support';

describe('policy.example.yaml', () => {
  const policy = loadPolicyFile(path.join(REPO_ROOT, 'policy.example.yaml'));

  it('loads and validates', () => {
    expect(policy.mode).toBe('audit');
    expect(policy.keys.map((k) => k.name)).toEqual(['ci-2026', 'platform', 'vendor']);
    expect(policy.rules.map((r) => [r.name, r.mode, r.require, r.transparencyLog])).toEqual([
      ['org-baseline', 'audit', 'any', 'verify-if-present'],
      ['prod-ecr', 'enforce', 'all', 'required'],
    ]);
    expect(policy.trustedImages).toHaveLength(1);
  });

  it('behaves as its comments say', () => {
    const prodTarget = {
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.0',
      clusterName: 'prod-eu',
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
      service: 'payments-api',
      taskDefinitionFamily: 'payments-api',
    };
    const match = matchContainer(policy, prodTarget);
    expect(match.kind === 'rules' && match.rules.map((r) => r.name)).toEqual(['org-baseline', 'prod-ecr']);
    const d = decideContainer(policy, match, {
      verifiedKeys: ['ci-2026'],
      reason: ReasonCode.VERIFIED,
      message: 'ok',
      error: false,
    });
    expect(d).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.REQUIRED_KEYS_MISSING,
      rule: 'prod-ecr',
      mode: 'enforce',
    });

    const fluentBit = matchContainer(policy, {
      ...prodTarget,
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
    });
    expect(fluentBit.kind).toBe('trusted');
  });

  it('implies a scope the stack can grant', () => {
    expect(policyScope(policy)).toEqual({
      allClusters: true,
      clusterPatterns: [],
      canStop: true,
      kmsKeys: [
        'alias/platform-image-signing',
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ],
      needsEcr: true,
    });
  });
});
