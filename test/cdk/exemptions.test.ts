/**
 * Exemptions at synth: an `until` more than 30 days ahead fails the synth naming the exemption and its
 * until; the synth summary lists every exemption and marks those expiring within 7 days (and expired
 * ones); the shipped policy stays loadable by the Lambda once its exemptions have expired.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { resolvePolicy } from '../../lib/guard-policy';
import { describePolicy } from '../../lib/policy-summary';
import { loadShippedPolicy } from '../../lambda/policy/shipped';
import { synthGuard, writePolicy } from './support';

const DAY = 24 * 3600_000;
const DIGEST = `sha256:${'ef'.repeat(32)}`;
const IMAGE = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments/api@${DIGEST}`;

function policyYaml(exemptions: Array<{ until: string; ticket: string; service?: string }>): string {
  const entries = exemptions
    .map(
      (e) => `  - ${e.service ? `service: ${e.service}` : `image: "${IMAGE}"`}
    clusters: [prod-eu]
    until: "${e.until}"
    reason: emergency fix
    ticket: ${e.ticket}`,
    )
    .join('\n');
  return `mode: enforce
keys: [{ name: ci, kms: alias/ci }]
rules: [{ name: prod, match: { clusters: ["prod-*"] }, keys: [ci] }]
exemptions:
${entries}
`;
}

const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('exemptions at synth', () => {
  it('fails the synth for an until more than 30 days ahead, naming the exemption and its until', () => {
    const until = at(Date.now() + 31 * DAY);
    const file = writePolicy(
      policyYaml([
        { until: at(Date.now() + 10 * DAY), ticket: 'SEC-1' },
        { until, ticket: 'SEC-2', service: 'payments' },
      ]),
    );
    expect(() => synthGuard({ policyFile: file })).toThrow(
      new RegExp(
        `EcsImageGuard: invalid policy\\n.*policy\\.yaml: exemptions\\[1\\]\\.until: ${until} is more than 30 days ahead .*exemptions\\[1\\] \\(ticket SEC-2\\) for service payments`,
      ),
    );
  });

  it('measures the 30 days from synth time, not from when the file was written', () => {
    const file = writePolicy(policyYaml([{ until: '2026-12-20T00:00:00Z', ticket: 'SEC-3' }]));
    expect(() =>
      resolvePolicy({ policyFile: file }, 'alias/x', Date.parse('2026-11-25T00:00:00Z')),
    ).not.toThrow();
    expect(() => resolvePolicy({ policyFile: file }, 'alias/x', Date.parse('2026-11-15T00:00:00Z'))).toThrow(
      /exemptions\[0\]\.until: 2026-12-20T00:00:00Z is more than 30 days ahead/,
    );
  });

  it('lists exemptions with their expiry and marks those expiring within 7 days', () => {
    const now = Date.parse('2026-11-30T06:00:00Z');
    const file = writePolicy(
      policyYaml([
        { until: '2026-12-20T00:00:00Z', ticket: 'SEC-10' },
        { until: '2026-12-03T06:00:00Z', ticket: 'SEC-11', service: 'payments' },
        { until: '2026-11-29T00:00:00Z', ticket: 'SEC-12' },
      ]),
    );
    const lines = describePolicy(resolvePolicy({ policyFile: file }, 'alias/x', now), now);
    expect(lines).toEqual(
      expect.arrayContaining([
        'exemptions (break-glass: a denied or failed container they cover is allowed and alerted): 3; EXPIRING WITHIN 7 DAYS: exemptions[1] (ticket SEC-11)',
        'exemption exemptions[2] (ticket SEC-12) for image ' +
          `${IMAGE} in clusters prod-eu: EXPIRED at 2026-11-29T00:00:00Z (ignored by the guard; remove it)`,
        'exemption exemptions[1] (ticket SEC-11) for service payments in clusters prod-eu: expires within 7 days, at 2026-12-03T06:00:00Z (in 3 days)',
        `exemption exemptions[0] (ticket SEC-10) for image ${IMAGE} in clusters prod-eu: until 2026-12-20T00:00:00Z`,
      ]),
    );
  });

  it('prints the expiring exemption in the synth summary (CDK info annotation)', () => {
    const file = writePolicy(policyYaml([{ until: at(Date.now() + 2 * DAY), ticket: 'SEC-20' }]));
    const { stack } = synthGuard({ policyFile: file });
    Annotations.fromStack(stack).hasInfo(
      '/GuardTest/Guard',
      Match.stringLikeRegexp('EXPIRING WITHIN 7 DAYS: exemptions\\[0\\] \\(ticket SEC-20\\)'),
    );
  });

  it('says nothing about exemptions for a policy without them', () => {
    const file = writePolicy('keys: [{ name: ci, kms: alias/ci }]\nrules: [{ name: all, keys: [ci] }]\n');
    expect(describePolicy(resolvePolicy({ policyFile: file }, 'alias/x')).join('\n')).not.toContain(
      'exemption',
    );
  });

  it('ships a policy the Lambda still loads after its exemptions expired', () => {
    const file = writePolicy(policyYaml([{ until: '2026-12-01T00:00:00Z', ticket: 'SEC-30' }]));
    const resolved = resolvePolicy({ policyFile: file }, 'alias/x', Date.parse('2026-11-30T00:00:00Z'));
    // The Lambda reads the shipped JSON whatever the date: the exemption is then simply expired.
    const shipped = loadShippedPolicy(resolved.json, resolved.sha256, 'policy.json');
    expect(shipped.exemptions).toEqual([
      {
        image: IMAGE,
        clusters: ['prod-eu'],
        until: '2026-12-01T00:00:00Z',
        reason: 'emergency fix',
        ticket: 'SEC-30',
      },
    ]);
  });
});
