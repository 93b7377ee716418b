/**
 * The decide step with exemptions, pure: which outcomes an exemption turns into EXEMPTED (deny and
 * error, also on a self-resolved digest), which it leaves alone (allow, skip), what an expired one
 * does, and that a task with an exempted container is alerted, never stopped for it.
 */
import { decideContainer, type ContainerFindings } from '../../lambda/decision/decide-container';
import { decideTask } from '../../lambda/decision/decide-task';
import { decideContainer as decideMatch, matchContainer } from '../../lambda/policy/evaluate';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const IMAGE = `registry.example/team/app:1@${DIGEST}`;
const NOW = Date.parse('2026-12-01T00:00:00Z');

const POLICY = parsePolicy(
  JSON.stringify({
    mode: 'enforce',
    onError: 'stop',
    keys: [{ name: 'ci', kms: 'alias/ci' }],
    trustedImages: [{ image: 'registry.example/infra/**', reason: 'platform' }],
    rules: [{ name: 'prod', match: { clusters: ['prod'] }, keys: ['ci'] }],
    exemptions: [
      {
        image: `registry.example/team/app@${DIGEST}`,
        clusters: ['prod'],
        until: '2026-12-03T00:00:00Z',
        reason: 'hotfix',
        ticket: 'SEC-1',
      },
      {
        service: 'infra',
        clusters: ['prod'],
        until: '2026-11-01T00:00:00Z',
        reason: 'old incident',
        ticket: 'INC-0',
      },
      {
        service: 'web',
        clusters: ['dev'],
        until: '2026-12-03T00:00:00Z',
        reason: 'no rule yet',
        ticket: 'T-2',
      },
    ],
  }),
  { source: 't' },
);

const target = (image: string, service?: string) => ({
  image,
  clusterName: 'prod',
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
  ...(service ? { service } : {}),
});

function findings(
  image: string,
  reason: ReasonCode,
  options: { service?: string; source?: 'event' | 'resolved' } = {},
): ContainerFindings {
  const error = reason === ReasonCode.REGISTRY_UNAVAILABLE;
  return {
    kind: 'matched',
    match: matchContainer(POLICY, target(image, options.service), NOW),
    digestSource: options.source ?? 'event',
    verification: {
      summary: {
        verifiedKeys: reason === ReasonCode.VERIFIED ? ['ci'] : [],
        reason,
        message: 'm',
        error,
      },
      keyFailures: [],
      signaturesFound: reason === ReasonCode.VERIFIED ? 1 : 0,
      cached: false,
    },
  };
}

describe('deciding an exempted container', () => {
  it.each([ReasonCode.NO_SIGNATURES, ReasonCode.REGISTRY_UNAVAILABLE])(
    'turns %s into allow EXEMPTED, keeping the would-be decision in the message',
    (reason) => {
      const d = decideContainer(POLICY, findings(IMAGE, reason));
      expect(d).toMatchObject({
        outcome: 'allow',
        reason: ReasonCode.EXEMPTED,
        rule: 'prod',
        exemption: { status: 'EXEMPTED', index: 0, ticket: 'SEC-1', until: '2026-12-03T00:00:00Z' },
      });
      expect(d.message).toBe(
        `allowed by exemptions[0] (ticket SEC-1) until 2026-12-03T00:00:00Z: hotfix; without it: ${reason === ReasonCode.NO_SIGNATURES ? 'deny' : 'error'} ${reason}: ${reason === ReasonCode.NO_SIGNATURES ? 'rule "prod" (enforce): m' : 'm'}`,
      );
      const task = decideTask(POLICY, [d]);
      expect(task.action).toBe('alert');
    },
  );

  it('exempts a failure on a digest the guard resolved itself (never stopped anyway)', () => {
    const d = decideContainer(POLICY, findings(IMAGE, ReasonCode.NO_SIGNATURES, { source: 'resolved' }));
    expect(d).toMatchObject({ outcome: 'allow', reason: ReasonCode.EXEMPTED });
    expect(d.message).toContain(`without it: deny ${ReasonCode.DIGEST_UNCONFIRMED}: unconfirmed`);
  });

  it('leaves an allowed container alone: no exemption recorded, no alert', () => {
    const d = decideContainer(POLICY, findings(IMAGE, ReasonCode.VERIFIED));
    expect(d.reason).toBe(ReasonCode.VERIFIED);
    expect(d.exemption).toBeUndefined();
    expect(decideTask(POLICY, [d]).action).toBe('none');
  });

  it('leaves a trusted (skipped) container alone, even in an exempted service', () => {
    const match = matchContainer(POLICY, target('registry.example/infra/agent:1', 'infra'), NOW);
    expect(match.kind).toBe('trusted');
    const d = decideContainer(POLICY, { kind: 'matched', match });
    expect(d).toMatchObject({ outcome: 'skip', reason: ReasonCode.TRUSTED_IMAGE });
    expect(d.exemption).toBeUndefined();
  });

  it('an expired exemption leaves the decision as it is and notes EXEMPTION_EXPIRED', () => {
    const d = decideContainer(
      POLICY,
      findings('registry.example/svc/x:2', ReasonCode.NO_SIGNATURES, { service: 'infra' }),
    );
    expect(d).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      exemption: { status: 'EXEMPTION_EXPIRED', index: 1, service: 'infra', ticket: 'INC-0' },
    });
    expect(d.message).toBe(
      'EXEMPTION_EXPIRED: exemptions[1] (ticket INC-0) expired at 2026-11-01T00:00:00Z and was ignored; rule "prod" (enforce): m',
    );
    expect(decideTask(POLICY, [d]).action).toBe('stop');
  });

  it('the exported rules verdict (decideMatch, for the hook and the sweep) applies exemptions too', () => {
    const match = matchContainer(POLICY, target(IMAGE), NOW);
    const d = decideMatch(POLICY, match, {
      verifiedKeys: [],
      reason: ReasonCode.NO_SIGNATURES,
      message: 'm',
      error: false,
    });
    expect(d).toMatchObject({ outcome: 'allow', reason: ReasonCode.EXEMPTED });
    // Without the exemption the same verdict is a denial.
    const later = matchContainer(POLICY, target(IMAGE), Date.parse('2026-12-03T00:00:00Z'));
    expect(
      decideMatch(POLICY, later, {
        verifiedKeys: [],
        reason: ReasonCode.NO_SIGNATURES,
        message: 'm',
        error: false,
      }).outcome,
    ).toBe('deny');
  });

  it('covers a noMatch denial too (a cluster no rule applies to)', () => {
    const match = matchContainer(
      POLICY,
      {
        image: 'registry.example/web:1',
        clusterName: 'dev',
        clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/dev',
        service: 'web',
      },
      NOW,
    );
    expect(match.kind).toBe('no-match');
    const d = decideContainer(POLICY, { kind: 'matched', match });
    expect(d).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.EXEMPTED,
      exemption: { index: 2, ticket: 'T-2' },
    });
    expect(d.message).toContain(`without it: deny ${ReasonCode.NO_MATCHING_RULE}`);
  });

  it('an enforce denial of another container still stops the task; the exempted one is listed as allowed', () => {
    const exempted = decideContainer(POLICY, findings(IMAGE, ReasonCode.NO_SIGNATURES));
    const denied = decideContainer(
      POLICY,
      findings('registry.example/team/other:1', ReasonCode.NO_SIGNATURES),
    );
    expect(denied.outcome).toBe('deny');
    expect(decideTask(POLICY, [exempted, denied]).action).toBe('stop');
  });
});
