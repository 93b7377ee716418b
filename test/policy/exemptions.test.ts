/**
 * Exemptions in the policy file: what is accepted, what is refused (with the field path), how an entry
 * is compiled, and which containers, tasks and services an entry covers (exact digest and repository,
 * listed clusters only, never a tag), active or expired.
 */
import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import { policySha256 } from '../../lambda/policy/hash';
import {
  exemptionExpiries,
  exemptionFor,
  exemptionWindowIssues,
  serviceExemptionFor,
} from '../../lambda/policy/exemptions';
import { loadShippedPolicy } from '../../lambda/policy/shipped';
import type { Policy } from '../../lambda/policy/schema';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** One hex character different from DIGEST (the last one). */
const LOOK_ALIKE = `sha256:${'ab'.repeat(31)}ac`;
const REPO = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments/api';
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu';
const DAY = 24 * 3600_000;
const NOW = Date.parse('2026-11-30T06:00:00Z');

const BASE = {
  mode: 'enforce',
  keys: [{ name: 'ci', kms: 'alias/ci' }],
  rules: [{ name: 'all', keys: ['ci'] }],
};

function policyWith(exemptions: unknown[]): Policy {
  return parsePolicy(JSON.stringify({ ...BASE, exemptions }), { source: 'p.json' });
}

function issuesOf(exemptions: unknown[]): string[] {
  try {
    policyWith(exemptions);
  } catch (e) {
    if (e instanceof PolicyError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

const imageEntry = (overrides: Record<string, unknown> = {}) => ({
  image: `${REPO}@${DIGEST}`,
  clusters: ['prod-eu'],
  until: '2026-12-02T18:00:00Z',
  reason: 'vendor hotfix, signature pipeline down',
  ticket: 'SEC-4471',
  ...overrides,
});

const serviceEntry = (overrides: Record<string, unknown> = {}) => ({
  service: 'payments',
  clusters: ['prod-eu'],
  until: '2026-12-02T18:00:00+01:00',
  reason: 'incident 812',
  ticket: 'INC-812',
  ...overrides,
});

describe('exemptions in the policy file', () => {
  it('accepts image and service entries and compiles the image to registry/repository@digest', () => {
    const policy = policyWith([
      imageEntry({ image: `${REPO}:1.4@${DIGEST}` }),
      serviceEntry({ clusters: ['prod-*', CLUSTER_ARN] }),
    ]);
    expect(policy.exemptions).toEqual([
      {
        image: `${REPO}@${DIGEST}`,
        clusters: ['prod-eu'],
        until: '2026-12-02T18:00:00Z',
        reason: 'vendor hotfix, signature pipeline down',
        ticket: 'SEC-4471',
      },
      {
        service: 'payments',
        clusters: ['prod-*', CLUSTER_ARN],
        until: '2026-12-02T18:00:00+01:00',
        reason: 'incident 812',
        ticket: 'INC-812',
      },
    ]);
  });

  it('normalises Docker Hub short names like every other reference', () => {
    const policy = policyWith([imageEntry({ image: `nginx@${DIGEST}` })]);
    expect(policy.exemptions?.[0]?.image).toBe(`docker.io/library/nginx@${DIGEST}`);
  });

  it('keeps the hash of a policy without exemptions (the field is left out when unset or empty)', () => {
    const without = parsePolicy(JSON.stringify(BASE), { source: 'p.json' });
    const empty = parsePolicy(JSON.stringify({ ...BASE, exemptions: [] }), { source: 'p.json' });
    expect(Object.keys(without)).not.toContain('exemptions');
    expect(policySha256(empty)).toBe(policySha256(without));
    expect(policySha256(policyWith([imageEntry()]))).not.toBe(policySha256(without));
  });

  it('round-trips: the compiled policy is itself a valid policy file with the same hash', () => {
    const policy = policyWith([imageEntry(), serviceEntry()]);
    const again = parsePolicy(JSON.stringify(policy), { source: 'compiled.json' });
    expect(again).toEqual(policy);
    expect(policySha256(again)).toBe(policySha256(policy));
  });

  it.each([
    [
      'a tag instead of a digest',
      imageEntry({ image: `${REPO}:1.4` }),
      'exemptions[0].image: must be pinned by digest',
    ],
    [
      'a malformed digest',
      imageEntry({ image: `${REPO}@sha256:abc` }),
      'exemptions[0].image: invalid image reference',
    ],
    [
      'both image and service',
      imageEntry({ service: 'payments' }),
      'exemptions[0]: exactly one of image, service is required (found image, service)',
    ],
    [
      'neither image nor service',
      { clusters: ['a'], until: '2026-12-02T18:00:00Z', reason: 'r', ticket: 't' },
      'exemptions[0]: exactly one of image, service is required (found none)',
    ],
    [
      'a service pattern',
      serviceEntry({ service: 'pay*' }),
      'exemptions[0].service: must be an ECS service name',
    ],
    ['no clusters', imageEntry({ clusters: undefined }), 'exemptions[0].clusters: is required'],
    [
      'an empty cluster list',
      imageEntry({ clusters: [] }),
      'exemptions[0].clusters: must name at least one cluster',
    ],
    [
      'a cluster pattern matching every cluster',
      imageEntry({ clusters: ['prod-eu', '*'] }),
      'exemptions[0].clusters[1]: "*" matches every cluster',
    ],
    [
      '"**" as a cluster',
      imageEntry({ clusters: ['**'] }),
      'exemptions[0].clusters[0]: "**" matches every cluster',
    ],
    ['every cluster ARN', imageEntry({ clusters: ['arn:aws:ecs:*:*:cluster/*'] }), 'matches every cluster'],
    ['no until', imageEntry({ until: undefined }), 'exemptions[0].until: is required'],
    [
      'an until without offset',
      imageEntry({ until: '2026-12-02T18:00:00' }),
      'exemptions[0].until: must be an RFC 3339 time with an offset',
    ],
    ['a date only', imageEntry({ until: '2026-12-02' }), 'exemptions[0].until: must be an RFC 3339 time'],
    [
      'an impossible date',
      imageEntry({ until: '2026-13-45T18:00:00Z' }),
      'exemptions[0].until: must be an RFC 3339 time',
    ],
    [
      'an empty reason',
      imageEntry({ reason: '  ' }),
      'exemptions[0].reason: must say why the exemption is needed',
    ],
    ['no ticket', imageEntry({ ticket: undefined }), 'exemptions[0].ticket: is required'],
    ['an empty ticket', imageEntry({ ticket: '' }), 'exemptions[0].ticket: must name the ticket'],
    [
      'an unknown field',
      imageEntry({ approvedBy: 'alice' }),
      'exemptions[0].approvedBy: unknown field (allowed here: image, service, clusters, until, reason, ticket)',
    ],
  ])('refuses %s, naming the field', (_what, entry, expected) => {
    const issues = issuesOf([entry]);
    expect(issues.some((i) => i.startsWith(expected) || i.includes(expected))).toBe(true);
  });

  it('accepts a cluster prefix pattern and a cluster ARN', () => {
    expect(issuesOf([imageEntry({ clusters: ['prod-*', CLUSTER_ARN] })])).toEqual([]);
  });
});

describe('which exemption covers a container', () => {
  const policy = policyWith([imageEntry(), serviceEntry({ clusters: ['prod-*'] })]);
  const target = (image: string, extra: Record<string, string> = {}) => ({
    image,
    clusterArn: CLUSTER_ARN,
    clusterName: 'prod-eu',
    ...extra,
  });
  const before = Date.parse('2026-12-01T00:00:00Z');

  it('covers the exact digest of the exact repository, whatever the tag', () => {
    expect(exemptionFor(policy, target(`${REPO}@${DIGEST}`), before)).toMatchObject({
      status: 'active',
      index: 0,
    });
    expect(exemptionFor(policy, target(`${REPO}:1.4@${DIGEST}`), before)).toMatchObject({
      status: 'active',
      index: 0,
    });
  });

  it('does not cover a look-alike digest (one hex character different)', () => {
    expect(exemptionFor(policy, target(`${REPO}@${LOOK_ALIKE}`), before)).toBeUndefined();
  });

  it('does not cover the same digest in another repository (or a repository sharing its prefix)', () => {
    expect(exemptionFor(policy, target(`${REPO}-evil@${DIGEST}`), before)).toBeUndefined();
    expect(exemptionFor(policy, target(`${REPO}/sub@${DIGEST}`), before)).toBeUndefined();
    expect(
      exemptionFor(
        policy,
        target(`222233334444.dkr.ecr.eu-west-1.amazonaws.com/payments/api@${DIGEST}`),
        before,
      ),
    ).toBeUndefined();
  });

  it('does not cover a tag: no digest, no image exemption', () => {
    expect(exemptionFor(policy, target(`${REPO}:1.4`), before)).toBeUndefined();
  });

  it('does not cover another cluster', () => {
    const other = {
      ...target(`${REPO}@${DIGEST}`),
      clusterName: 'staging-eu',
      clusterArn: CLUSTER_ARN.replace('prod-eu', 'staging-eu'),
    };
    expect(exemptionFor(policy, other, before)).toBeUndefined();
  });

  it('matches cluster patterns against the name or the ARN', () => {
    const byArn = policyWith([imageEntry({ clusters: [CLUSTER_ARN] })]);
    expect(exemptionFor(byArn, target(`${REPO}@${DIGEST}`), before)?.status).toBe('active');
    const other = {
      ...target(`${REPO}@${DIGEST}`),
      clusterArn: CLUSTER_ARN.replace('111122223333', '999988887777'),
    };
    expect(exemptionFor(byArn, other, before)).toBeUndefined();
  });

  it('covers any image of the exempted service in its clusters, and no other service or RunTask task', () => {
    expect(exemptionFor(policy, target('ghcr.io/x/y:1', { service: 'payments' }), before)).toMatchObject({
      index: 1,
    });
    expect(exemptionFor(policy, target('ghcr.io/x/y:1', { service: 'payments-v2' }), before)).toBeUndefined();
    expect(exemptionFor(policy, target('ghcr.io/x/y:1'), before)).toBeUndefined();
    expect(
      serviceExemptionFor(
        policy,
        { clusterArn: CLUSTER_ARN, clusterName: 'prod-eu', service: 'payments' },
        before,
      ),
    ).toMatchObject({ status: 'active', index: 1 });
    expect(
      serviceExemptionFor(
        policy,
        { clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/dev', clusterName: 'dev', service: 'payments' },
        before,
      ),
    ).toBeUndefined();
  });

  it('is expired from its until on (exclusive), reported as expired, never active', () => {
    const until = Date.parse('2026-12-02T18:00:00Z');
    expect(exemptionFor(policy, target(`${REPO}@${DIGEST}`), until - 1)?.status).toBe('active');
    expect(exemptionFor(policy, target(`${REPO}@${DIGEST}`), until)).toMatchObject({
      status: 'expired',
      index: 0,
    });
    // The offset counts: 18:00+01:00 is 17:00Z.
    const serviceUntil = Date.parse('2026-12-02T17:00:00Z');
    expect(exemptionFor(policy, target('a/b:1', { service: 'payments' }), serviceUntil)?.status).toBe(
      'expired',
    );
  });

  it('prefers an active exemption to an expired one that covers the same container', () => {
    const both = policyWith([
      imageEntry({ until: '2026-11-01T00:00:00Z', ticket: 'OLD-1' }),
      imageEntry({ ticket: 'NEW-2' }),
    ]);
    expect(exemptionFor(both, target(`${REPO}@${DIGEST}`), before)).toMatchObject({
      status: 'active',
      index: 1,
    });
  });
});

describe('the 30-day limit and expiry listing', () => {
  it('refuses an until more than 30 days after now, naming the exemption and its until', () => {
    const policy = policyWith([
      imageEntry({ until: new Date(NOW + 30 * DAY).toISOString() }),
      serviceEntry({ until: new Date(NOW + 30 * DAY + 1000).toISOString(), ticket: 'INC-9' }),
    ]);
    const issues = exemptionWindowIssues(policy, NOW);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('exemptions[1].until');
    expect(issues[0]!.message).toContain(
      `${new Date(NOW + 30 * DAY + 1000).toISOString()} is more than 30 days ahead`,
    );
    expect(issues[0]!.message).toContain('exemptions[1] (ticket INC-9) for service payments');
  });

  it('lets the Lambda load a compiled policy whose exemptions have expired', () => {
    const policy = policyWith([imageEntry({ until: '2020-01-01T00:00:00Z' })]);
    const json = JSON.stringify(policy);
    const shipped = loadShippedPolicy(json, policySha256(policy), 'policy.json');
    expect(shipped.exemptions?.[0]?.until).toBe('2020-01-01T00:00:00Z');
  });

  it('refuses a shipped policy with a malformed exemption', () => {
    const policy = JSON.parse(JSON.stringify(policyWith([imageEntry()]))) as Policy;
    const broken = { ...policy, exemptions: [{ ...policy.exemptions![0]!, service: 'x' }] } as Policy;
    expect(() => loadShippedPolicy(JSON.stringify(broken), policySha256(broken), 'policy.json')).toThrow(
      /exemptions\[0\] needs exactly one of image, service/,
    );
    const noUntil = { ...policy, exemptions: [{ ...policy.exemptions![0]!, until: 'soon' }] } as Policy;
    expect(() => loadShippedPolicy(JSON.stringify(noUntil), policySha256(noUntil), 'policy.json')).toThrow(
      /exemptions\[0\]\.until is missing or invalid/,
    );
  });

  it('sorts expiries soonest first and marks those within 7 days and those expired', () => {
    const policy = policyWith([
      imageEntry({ until: new Date(NOW + 20 * DAY).toISOString() }),
      serviceEntry({ until: new Date(NOW + 7 * DAY).toISOString() }),
      imageEntry({ until: new Date(NOW - 1).toISOString(), ticket: 'OLD' }),
    ]);
    expect(exemptionExpiries(policy, NOW).map((e) => [e.index, e.soon, e.expired])).toEqual([
      [2, false, true],
      [1, true, false],
      [0, false, false],
    ]);
  });
});
