import { policyScope } from '../../lambda/policy/scope';
import { parsePolicy } from '../../lambda/policy/load';
import fs from 'node:fs';
import { KEY_ARN, PUBKEY_PEM_PATH, indent } from './support';

const KEYS = `
keys:
  - { name: ci, kms: "awskms:///${KEY_ARN}" }
  - { name: alias, kms: alias/vendor }
  - { name: unused, kms: arn:aws:kms:eu-west-1:111122223333:alias/unused }
  - name: pem
    publicKey: |
${indent(fs.readFileSync(PUBKEY_PEM_PATH, 'utf8'), 6)}
`;
const scope = (yaml: string) => policyScope(parsePolicy(`${KEYS}${yaml}`, { source: 't' }));

describe('policyScope', () => {
  it('is every cluster when noMatch is deny (a no-match deny applies anywhere)', () => {
    const s = scope(`rules: [{ name: r, match: { clusters: ["prod-*"] }, keys: [ci] }]`);
    expect(s).toMatchObject({ allClusters: true, clusterPatterns: [] });
  });

  it('is every cluster when a rule has no clusters field', () => {
    const s = scope(`noMatch: allow
rules:
  - { name: a, match: { clusters: ["prod-*"] }, keys: [ci] }
  - { name: b, match: { images: ["**"] }, keys: [ci] }`);
    expect(s).toMatchObject({ allClusters: true, clusterPatterns: [] });
  });

  it('is the union of the rules cluster patterns with noMatch allow and cluster-scoped rules', () => {
    const s = scope(`noMatch: allow
rules:
  - { name: a, match: { clusters: ["prod-*", "arn:aws:ecs:*:111122223333:cluster/pay"] }, keys: [ci] }
  - { name: b, match: { clusters: ["prod-*", "edge"] }, keys: [alias] }`);
    expect(s).toMatchObject({
      allClusters: false,
      clusterPatterns: ['arn:aws:ecs:*:111122223333:cluster/pay', 'edge', 'prod-*'],
    });
  });

  it('lists only KMS keys that a rule uses, without the awskms:// prefix', () => {
    const s = scope(`rules: [{ name: a, keys: [ci, alias, pem] }]`);
    expect(s.kmsKeys).toEqual(['alias/vendor', KEY_ARN]);
    expect(scope('noMatch: allow').kmsKeys).toEqual([]);
  });

  it('canStop only with an enforce rule, or noMatch deny in top-level enforce mode', () => {
    expect(scope(`rules: [{ name: a, keys: [ci] }]`).canStop).toBe(false);
    expect(scope(`onError: stop\nrules: [{ name: a, keys: [ci] }]`).canStop).toBe(false);
    expect(scope(`rules: [{ name: a, keys: [ci], mode: enforce }]`).canStop).toBe(true);
    expect(scope(`mode: enforce\nnoMatch: deny`).canStop).toBe(true);
    expect(
      scope(`mode: enforce\nnoMatch: allow\nrules: [{ name: a, keys: [ci], mode: audit }]`).canStop,
    ).toBe(false);
  });

  it('needsEcr unless every rule names images on fixed non-ECR registries', () => {
    expect(scope(`rules: [{ name: a, keys: [ci] }]`).needsEcr).toBe(true);
    expect(
      scope(`rules: [{ name: a, keys: [ci], match: { images: ["*.dkr.ecr.*.amazonaws.com/**"] } }]`).needsEcr,
    ).toBe(true);
    expect(
      scope(
        `rules: [{ name: a, keys: [ci], match: { images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:*"] } }]`,
      ).needsEcr,
    ).toBe(true);
    expect(
      scope(
        `rules: [{ name: a, keys: [ci], match: { images: ["111122223333.dkr-ecr.eu-west-1.on.aws/x"] } }]`,
      ).needsEcr,
    ).toBe(true);
    for (const host of [
      '111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn',
      '111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      '111122223333.dkr-ecr.us-gov-west-1.on.aws',
      '111122223333.dkr.ecr.us-isob-east-1.sc2s.sgov.gov',
    ]) {
      expect(scope(`rules: [{ name: a, keys: [ci], match: { images: ["${host}/x"] } }]`).needsEcr).toBe(true);
    }
    expect(
      scope(
        `rules: [{ name: a, keys: [ci], match: { images: ["s3.amazonaws.com/x", "111122223333.dkr.ecr.eu-west-1.amazonaws.com:443/x"] } }]`,
      ).needsEcr,
    ).toBe(false);
    expect(scope(`rules: [{ name: a, keys: [ci], match: { images: ["**"] } }]`).needsEcr).toBe(true);
    expect(scope(`rules: [{ name: a, keys: [ci], match: { images: ["*/x"] } }]`).needsEcr).toBe(true);
    expect(
      scope(
        `rules: [{ name: a, keys: [ci], match: { images: ["ghcr.io/acme/**", "public.ecr.aws/x/*", "localhost:5000/**"] } }]`,
      ).needsEcr,
    ).toBe(false);
    expect(scope('noMatch: deny').needsEcr).toBe(false);
  });
});
