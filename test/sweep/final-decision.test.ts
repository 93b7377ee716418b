import type { ContainerResult } from '../../lambda/decision/record';
import type { ContainerOutcome } from '../../lambda/policy/evaluate';
import { ReasonCode } from '../../lambda/reasons';
import { decisionFingerprint, finalDecisionOf } from '../../lambda/sweep/final-decision';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;

function container(
  name: string,
  outcome: ContainerOutcome,
  reason: ReasonCode,
  extra: Partial<ContainerResult> = {},
): ContainerResult {
  return {
    name,
    image: `registry.example/${name}:1`,
    digest: DIGEST,
    digestSource: 'event',
    decision: { outcome, reason, message: '', rules: [], keys: [], mode: 'enforce' },
    signaturesFound: 1,
    cached: false,
    durationMs: 1,
    ...extra,
  };
}

const input = (containers: ContainerResult[], action: 'none' | 'alert' | 'stop' = 'none') => ({
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/abc',
  policySha256: 'a'.repeat(64),
  decidedAt: 1000,
  decision: { action, mode: 'enforce' as const },
  containers,
});

describe('finalDecisionOf', () => {
  it('is final when every container has an answer of its own', () => {
    const final = finalDecisionOf({
      ...input(
        [container('app', 'allow', ReasonCode.VERIFIED), container('log', 'deny', ReasonCode.NO_SIGNATURES)],
        'stop',
      ),
      alertGroups: new Map([['log', 'group#1']]),
    });
    expect(final).toMatchObject({
      outcome: 'fail',
      digests: { app: DIGEST, log: DIGEST },
      alertGroups: ['group#1'],
    });
    expect(finalDecisionOf(input([container('app', 'allow', ReasonCode.VERIFIED)]))?.outcome).toBe('pass');
  });

  it('is not final with an error, an unconfirmed digest, or a digest the guard resolved itself', () => {
    expect(
      finalDecisionOf(input([container('app', 'error', ReasonCode.REGISTRY_UNAVAILABLE)], 'alert')),
    ).toBeUndefined();
    expect(
      finalDecisionOf(input([container('app', 'deny', ReasonCode.DIGEST_UNCONFIRMED)], 'alert')),
    ).toBeUndefined();
    expect(
      finalDecisionOf(input([container('app', 'allow', ReasonCode.VERIFIED, { digestSource: 'resolved' })])),
    ).toBeUndefined();
  });
});

describe('decisionFingerprint', () => {
  const base = [
    container('app', 'deny', ReasonCode.NO_SIGNATURES),
    container('db', 'allow', ReasonCode.VERIFIED),
  ];
  it('is the same for the same decision in any container order', () => {
    expect(decisionFingerprint({ action: 'alert', mode: 'audit' }, base)).toBe(
      decisionFingerprint({ action: 'alert', mode: 'audit' }, [...base].reverse()),
    );
  });
  it('changes with the action, a digest, an outcome or a reason', () => {
    const fp = decisionFingerprint({ action: 'alert', mode: 'audit' }, base);
    expect(decisionFingerprint({ action: 'stop', mode: 'enforce' }, base)).not.toBe(fp);
    expect(
      decisionFingerprint({ action: 'alert', mode: 'audit' }, [
        container('app', 'deny', ReasonCode.NO_SIGNATURES, { digest: OTHER }),
        base[1]!,
      ]),
    ).not.toBe(fp);
    expect(
      decisionFingerprint({ action: 'alert', mode: 'audit' }, [
        container('app', 'deny', ReasonCode.SIGNATURE_INVALID),
        base[1]!,
      ]),
    ).not.toBe(fp);
  });
});
