import { ReasonCode } from '../../lambda/reasons';
import {
  decideContainer,
  matchContainer,
  requiredKeys,
  tlogModeFor,
  type ContainerMatch,
  type MatchTarget,
  type VerificationSummary,
} from '../../lambda/policy/evaluate';
import { imageMatchForms, splitImage } from '../../lambda/policy/image-forms';
import { policySha256 } from '../../lambda/policy/hash';
import { parsePolicy } from '../../lambda/policy/load';
import type { Policy, Rule } from '../../lambda/policy/schema';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const CLUSTER_ARN = (name: string) => `arn:aws:ecs:eu-west-1:111122223333:cluster/${name}`;

function policy(yaml: string): Policy {
  return parsePolicy(yaml, { source: 'test.yaml' });
}

function target(image: string, overrides: Partial<MatchTarget> = {}): MatchTarget {
  const clusterName = overrides.clusterName ?? 'prod-eu';
  return { image, clusterName, clusterArn: CLUSTER_ARN(clusterName), ...overrides };
}

function ruleNames(match: ContainerMatch): string[] | string {
  return match.kind === 'rules' ? match.rules.map((r) => r.name) : match.kind;
}

const verified = (keys: string[]): VerificationSummary => ({
  verifiedKeys: keys,
  reason: ReasonCode.VERIFIED,
  message: `verified by ${keys.join(', ')}`,
  error: false,
});
const failed = (reason: ReasonCode, message: string): VerificationSummary => ({
  verifiedKeys: [],
  reason,
  message,
  error: false,
});

const KEYS = `
keys:
  - { name: ci, kms: alias/ci }
  - { name: vendor, kms: alias/vendor }
  - { name: release, kms: alias/release }
`;

describe('image reference forms', () => {
  it.each([
    ['docker.io/library/nginx:1.27', { name: 'docker.io/library/nginx', tag: '1.27' }],
    [`docker.io/library/nginx@${DIGEST}`, { name: 'docker.io/library/nginx', digest: DIGEST }],
    [
      `docker.io/library/nginx:1.27@${DIGEST}`,
      { name: 'docker.io/library/nginx', tag: '1.27', digest: DIGEST },
    ],
    ['localhost:5000/app', { name: 'localhost:5000/app' }],
    ['localhost:5000/app:v1', { name: 'localhost:5000/app', tag: 'v1' }],
  ])('splits %s', (image, parts) => {
    expect(splitImage(image)).toEqual(parts);
  });

  it('lists name, name:tag, name@digest and name:tag@digest', () => {
    expect(imageMatchForms(`r/x:1@${DIGEST}`)).toEqual(['r/x', 'r/x:1', `r/x@${DIGEST}`, `r/x:1@${DIGEST}`]);
    expect(imageMatchForms('r/x:1')).toEqual(['r/x', 'r/x:1']);
  });
});

describe('matchContainer', () => {
  const p = policy(`${KEYS}
trustedImages:
  - { image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:*", reason: AWS log router }
  - { image: "docker.io/library/busybox@${DIGEST}", reason: pinned }
rules:
  - name: org-baseline
    match: { images: ["*.dkr.ecr.*.amazonaws.com/**"] }
    keys: [ci]
  - name: prod
    match: { clusters: ["prod-*"], images: ["${ECR}/payments/**"] }
    keys: [release]
  - name: payments-svc
    match: { services: ["payments-*"], taskDefinitionFamilies: ["pay-*"] }
    keys: [vendor]
  - name: by-arn
    match: { clusters: ["arn:aws:ecs:*:111122223333:cluster/arn-only"] }
    keys: [ci]
`);

  it('checks trustedImages first, even when rules would match', () => {
    const m = matchContainer(
      p,
      target(`public.ecr.aws/aws-observability/aws-for-fluent-bit:stable@${DIGEST}`),
    );
    expect(m).toEqual({
      kind: 'trusted',
      entry: { image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:*', reason: 'AWS log router' },
    });
  });

  it('pins a trusted image by digest, whatever the tag, and only with that digest', () => {
    expect(matchContainer(p, target(`docker.io/library/busybox:1.36@${DIGEST}`)).kind).toBe('trusted');
    expect(matchContainer(p, target(`docker.io/library/busybox@${DIGEST}`)).kind).toBe('trusted');
    expect(matchContainer(p, target(`docker.io/library/busybox:1.36@${OTHER_DIGEST}`)).kind).toBe('no-match');
    expect(matchContainer(p, target('docker.io/library/busybox:1.36')).kind).toBe('no-match');
  });

  it('returns every matching rule, in policy order', () => {
    const m = matchContainer(
      p,
      target(`${ECR}/payments/api:1@${DIGEST}`, { service: 'payments-api', taskDefinitionFamily: 'pay-api' }),
    );
    expect(ruleNames(m)).toEqual(['org-baseline', 'prod', 'payments-svc']);
  });

  it('requires every given match field (AND) and any pattern within a field (OR)', () => {
    expect(ruleNames(matchContainer(p, target(`${ECR}/payments/api:1`, { clusterName: 'dev-1' })))).toEqual([
      'org-baseline',
    ]);
    // services given but family missing → payments-svc does not match
    expect(ruleNames(matchContainer(p, target('ghcr.io/a/b:1', { service: 'payments-api' })))).toBe(
      'no-match',
    );
    expect(
      ruleNames(
        matchContainer(
          p,
          target('ghcr.io/a/b:1', { service: 'payments-api', taskDefinitionFamily: 'pay-x' }),
        ),
      ),
    ).toEqual(['payments-svc']);
    expect(
      ruleNames(
        matchContainer(p, target('ghcr.io/a/b:1', { service: 'billing', taskDefinitionFamily: 'pay-x' })),
      ),
    ).toBe('no-match');
  });

  it('never matches a services pattern for a task outside a service', () => {
    expect(ruleNames(matchContainer(p, target('ghcr.io/a/b:1', { taskDefinitionFamily: 'pay-x' })))).toBe(
      'no-match',
    );
  });

  it('matches clusters by name or by ARN', () => {
    expect(ruleNames(matchContainer(p, target('ghcr.io/a/b:1', { clusterName: 'arn-only' })))).toEqual([
      'by-arn',
    ]);
    expect(
      ruleNames(
        matchContainer(p, {
          image: 'ghcr.io/a/b:1',
          clusterName: 'arn-only',
          clusterArn: 'arn:aws:ecs:eu-west-1:999999999999:cluster/arn-only',
        }),
      ),
    ).toBe('no-match');
  });

  it('matches image patterns against tag, digest and bare-name forms as documented', () => {
    const q = policy(`${KEYS}
rules:
  - { name: bare, match: { images: ["docker.io/library/nginx"] }, keys: [ci] }
  - { name: any-tag, match: { images: ["docker.io/library/nginx:*"] }, keys: [ci] }
  - { name: tag-1, match: { images: ["docker.io/library/nginx:1.27"] }, keys: [ci] }
  - { name: digest-pin, match: { images: ["docker.io/library/nginx@${DIGEST}"] }, keys: [ci] }
  - { name: both-pin, match: { images: ["docker.io/library/nginx:1.27@${DIGEST}"] }, keys: [ci] }
  - { name: any-digest, match: { images: ["docker.io/library/nginx@*"] }, keys: [ci] }
`);
    const names = (image: string) => ruleNames(matchContainer(q, target(image)));
    expect(names('docker.io/library/nginx:1.27')).toEqual(['bare', 'any-tag', 'tag-1']);
    expect(names(`docker.io/library/nginx:1.27@${DIGEST}`)).toEqual([
      'bare',
      'any-tag',
      'tag-1',
      'digest-pin',
      'both-pin',
      'any-digest',
    ]);
    expect(names(`docker.io/library/nginx@${DIGEST}`)).toEqual(['bare', 'digest-pin', 'any-digest']);
    expect(names(`docker.io/library/nginx:1.28@${OTHER_DIGEST}`)).toEqual(['bare', 'any-tag', 'any-digest']);
    expect(names('docker.io/library/nginx-evil:1.27')).toBe('no-match');
    expect(names('docker.io/library/nginx/sub:1.27')).toBe('no-match');
  });

  it('a rule without match applies to every container', () => {
    const q = policy(`${KEYS}\nrules: [{ name: all, keys: [ci] }]`);
    expect(ruleNames(matchContainer(q, target('quay.io/x/y:z', { clusterName: 'anything' })))).toEqual([
      'all',
    ]);
  });

  it('reuses compiled matchers for the same policy object (same answers on repeated calls)', () => {
    const t = target(`${ECR}/payments/api:1`);
    expect(matchContainer(p, t)).toEqual(matchContainer(p, t));
  });
});

describe('requiredKeys and tlogModeFor', () => {
  const p = policy(`${KEYS}
transparencyLog: ignore
rules:
  - { name: a, keys: [ci, vendor] }
  - { name: b, keys: [vendor, release], transparencyLog: required }
  - { name: c, keys: [ci], transparencyLog: verify-if-present }
  - { name: d, keys: [ci] }
`);
  const rule = (n: string) => p.rules.find((r) => r.name === n) as Rule;

  it('unions key names in first-mentioned order', () => {
    expect(requiredKeys(p.rules)).toEqual(['ci', 'vendor', 'release']);
    expect(requiredKeys([])).toEqual([]);
  });

  it('takes the strictest transparency-log mode (required > verify-if-present > ignore)', () => {
    expect(tlogModeFor(p, p.rules)).toBe('required');
    expect(tlogModeFor(p, [rule('a'), rule('c')])).toBe('verify-if-present');
    expect(tlogModeFor(p, [rule('a'), rule('d')])).toBe('ignore');
    expect(tlogModeFor(p, [])).toBe('ignore');
  });
});

describe('decideContainer', () => {
  const p = policy(`${KEYS}
mode: audit
trustedImages: [{ image: "public.ecr.aws/aws-observability/**", reason: AWS images }]
rules:
  - { name: baseline, keys: [ci, vendor], mode: audit }
  - { name: prod, match: { clusters: ["prod-*"] }, keys: [ci, release], require: all, mode: enforce }
  - { name: team, match: { services: ["team-*"] }, keys: [vendor] }
`);
  const decide = (t: MatchTarget, v?: VerificationSummary) => decideContainer(p, matchContainer(p, t), v);

  it('skips a trusted image with TRUSTED_IMAGE in the top-level mode', () => {
    expect(decide(target('public.ecr.aws/aws-observability/aws-for-fluent-bit:2'))).toEqual({
      outcome: 'skip',
      reason: ReasonCode.TRUSTED_IMAGE,
      message: 'trusted image ("public.ecr.aws/aws-observability/**"): AWS images',
      rules: [],
      keys: [],
      mode: 'audit',
    });
  });

  it('applies noMatch deny in the top-level mode, and noMatch allow', () => {
    const deny = policy(`${KEYS}\nmode: enforce\nrules: [{ name: r, match: { clusters: [x] }, keys: [ci] }]`);
    expect(decideContainer(deny, matchContainer(deny, target('a/b:1')))).toEqual({
      outcome: 'deny',
      reason: ReasonCode.NO_MATCHING_RULE,
      message: 'no policy rule matches this image (noMatch: deny)',
      rules: [],
      keys: [],
      mode: 'enforce',
    });
    const allow = policy(
      `${KEYS}\nnoMatch: allow\nrules: [{ name: r, match: { clusters: [x] }, keys: [ci] }]`,
    );
    expect(decideContainer(allow, { kind: 'no-match' })).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.NO_MATCHING_RULE,
      mode: 'audit',
    });
  });

  it('allows when every matching rule passes; rule is the first matching rule', () => {
    const d = decide(target('a/b:1'), verified(['ci', 'release']));
    expect(d).toEqual({
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      message: 'signed by ci, release; rules passed: baseline, prod',
      rule: 'baseline',
      rules: ['baseline', 'prod'],
      keys: ['ci', 'release'],
      mode: 'enforce',
    });
  });

  it('require any: one of the rule keys is enough', () => {
    const d = decide(target('a/b:1', { clusterName: 'dev' }), verified(['vendor']));
    expect(d).toMatchObject({ outcome: 'allow', rules: ['baseline'], keys: ['vendor'], mode: 'audit' });
  });

  it('require all: a missing key denies with REQUIRED_KEYS_MISSING, in the failing rule mode', () => {
    const d = decide(target('a/b:1'), verified(['ci']));
    expect(d).toEqual({
      outcome: 'deny',
      reason: ReasonCode.REQUIRED_KEYS_MISSING,
      message: 'rule "prod" (enforce) requires signatures by all of ci, release; missing: release',
      rule: 'prod',
      rules: ['baseline', 'prod'],
      keys: ['ci'],
      mode: 'enforce',
    });
  });

  it('every matching rule must pass: a team rule adds a requirement', () => {
    const d = decide(target('a/b:1', { clusterName: 'dev', service: 'team-a' }), verified(['ci']));
    expect(d).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.SIGNATURE_INVALID,
      message: 'rule "team" (audit): no valid signature by vendor (signed only by ci)',
      rule: 'team',
      rules: ['baseline', 'team'],
      keys: ['ci'],
      mode: 'audit',
    });
  });

  it('the strictest mode among failing rules decides, and names its rule; others are listed', () => {
    const d = decide(
      target('a/b:1', { service: 'team-a' }),
      failed(ReasonCode.NO_SIGNATURES, 'no signatures found'),
    );
    expect(d).toEqual({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      message: 'rule "prod" (enforce): no signatures found (also failing: baseline, team)',
      rule: 'prod',
      rules: ['baseline', 'prod', 'team'],
      keys: [],
      mode: 'enforce',
    });
  });

  it('an audit-only failure is denied in audit mode even when an enforce rule passes', () => {
    // prod (enforce) passes with ci + release; team (audit) needs vendor.
    const d = decide(target('a/b:1', { service: 'team-a' }), verified(['ci', 'release']));
    expect(d).toMatchObject({
      outcome: 'deny',
      rule: 'team',
      mode: 'audit',
      reason: ReasonCode.SIGNATURE_INVALID,
    });
  });

  it.each([
    ReasonCode.NO_SIGNATURES,
    ReasonCode.SIGNATURE_INVALID,
    ReasonCode.DIGEST_MISMATCH,
    ReasonCode.TLOG_INVALID,
    ReasonCode.TLOG_MISSING,
  ])('carries the verification reason %s of a failing rule', (reason) => {
    const d = decide(target('a/b:1', { clusterName: 'dev' }), failed(reason, 'why'));
    expect(d).toMatchObject({
      outcome: 'deny',
      reason,
      rule: 'baseline',
      message: 'rule "baseline" (audit): why',
    });
  });

  it('a verification error is an error outcome with its reason, never an allow', () => {
    const v: VerificationSummary = {
      verifiedKeys: ['ci', 'release'],
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
      message: 'registry unreachable after 3 attempts',
      error: true,
    };
    expect(decide(target('a/b:1'), v)).toEqual({
      outcome: 'error',
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
      message: 'registry unreachable after 3 attempts',
      rule: 'prod',
      rules: ['baseline', 'prod'],
      keys: ['ci', 'release'],
      mode: 'enforce',
    });
  });

  it('matching rules without a verification result are an error, never an allow', () => {
    expect(decide(target('a/b:1', { clusterName: 'dev' }))).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.INTERNAL_ERROR,
      rules: ['baseline'],
    });
  });

  it('ignores verified keys that no matching rule names', () => {
    const d = decide(target('a/b:1', { clusterName: 'dev' }), verified(['release', 'stranger']));
    expect(d).toMatchObject({ outcome: 'deny', keys: [], reason: ReasonCode.SIGNATURE_INVALID });
  });

  it('a VERIFIED summary with no keys does not pass', () => {
    const d = decide(target('a/b:1', { clusterName: 'dev' }), verified([]));
    expect(d).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.SIGNATURE_INVALID,
      message: 'rule "baseline" (audit): no valid signature by ci, vendor',
    });
  });
});

describe('awsInjectedContainers', () => {
  const base = 'keys: [{name: ci, kms: alias/ci}]\nrules: [{name: all, keys: [ci]}]\n';
  it('defaults to trust (left out of the compiled policy, so existing policies keep their hash)', () => {
    const implicit = policy(base);
    const explicit = policy(`${base}awsInjectedContainers: trust\n`);
    expect(implicit.awsInjectedContainers).toBeUndefined();
    expect(explicit).toEqual(implicit);
    expect(policySha256(explicit)).toBe(policySha256(implicit));
  });

  it('accepts verify, which changes the policy hash', () => {
    const p = policy(`${base}awsInjectedContainers: verify\n`);
    expect(p.awsInjectedContainers).toBe('verify');
    expect(policySha256(p)).not.toBe(policySha256(policy(base)));
    expect(policy(JSON.stringify(p))).toEqual(p);
  });

  it('rejects any other value, naming the field', () => {
    expect(() => policy(`${base}awsInjectedContainers: sometimes\n`)).toThrow(
      /awsInjectedContainers: must be one of: trust, verify/,
    );
  });
});
