import fc from 'fast-check';
import { decideContainer, type ContainerFindings } from '../../lambda/decision/decide-container';
import { decideTask } from '../../lambda/decision/decide-task';
import type { DigestSource } from '../../lambda/decision/types';
import { matchContainer } from '../../lambda/policy/evaluate';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';

const POLICY = parsePolicy(
  `mode: enforce
onError: stop
keys: [{name: ci, kms: alias/ci}]
rules:
  - {name: prod, match: {clusters: [prod]}, keys: [ci]}
  - {name: dev, match: {clusters: [dev]}, keys: [ci], mode: audit}
`,
  { source: 't' },
);
const target = (cluster: string) => ({
  image: 'registry.example/app:1',
  clusterName: cluster,
  clusterArn: `arn:aws:ecs:eu-west-1:111122223333:cluster/${cluster}`,
});
const SOURCES: DigestSource[] = ['event', 'describeTasks', 'serviceRevision', 'resolved'];
const REASONS = [ReasonCode.NO_SIGNATURES, ReasonCode.SIGNATURE_INVALID, ReasonCode.REGISTRY_UNAVAILABLE];

function matched(source: DigestSource, reason: ReasonCode, keyFailures: string[] = []): ContainerFindings {
  return {
    kind: 'matched',
    match: matchContainer(POLICY, target('prod')),
    digestSource: source,
    verification: {
      summary: { verifiedKeys: [], reason, message: 'm', error: reason === ReasonCode.REGISTRY_UNAVAILABLE },
      keyFailures,
      signaturesFound: 0,
      cached: false,
    },
  };
}

describe('decideContainer', () => {
  it('property: a failure on a self-resolved digest is DIGEST_UNCONFIRMED and never stops the task', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REASONS), (reason) => {
        const d = decideContainer(POLICY, matched('resolved', reason));
        expect(d.reason).toBe(ReasonCode.DIGEST_UNCONFIRMED);
        expect(d.message).toContain(reason);
        expect(decideTask(POLICY, [d]).action).toBe('alert');
      }),
    );
  });

  it('property: the same failure on a digest ECS named stops the task (enforce, onError: stop)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SOURCES.filter((s) => s !== 'resolved')),
        fc.constantFrom(...REASONS),
        (source, reason) => {
          const d = decideContainer(POLICY, matched(source, reason));
          expect(d.reason).toBe(reason);
          expect(decideTask(POLICY, [d]).action).toBe('stop');
        },
      ),
    );
  });

  it('turns a denial with keys that could not be loaded into KEY_UNAVAILABLE (undecidable)', () => {
    const d = decideContainer(POLICY, matched('event', ReasonCode.NO_SIGNATURES, ['ci: throttled']));
    expect(d).toMatchObject({ outcome: 'error', reason: ReasonCode.KEY_UNAVAILABLE });
  });

  it('decides an unidentified container in the strictest mode of the rules that apply to its task', () => {
    const forCluster = (cluster: string) =>
      decideContainer(POLICY, {
        kind: 'unidentified',
        message: 'no image',
        rules: POLICY.rules.filter((r) => r.match.clusters?.includes(cluster)),
      });
    expect(forCluster('prod')).toMatchObject({ outcome: 'error', mode: 'enforce', rule: 'prod' });
    expect(forCluster('dev')).toMatchObject({ outcome: 'error', mode: 'audit', rule: 'dev' });
    expect(decideTask(POLICY, [forCluster('dev')]).action).toBe('alert');
    expect(decideTask(POLICY, [forCluster('prod')]).action).toBe('stop');
  });

  it('skips an injected agent as TRUSTED_IMAGE, saying why', () => {
    expect(
      decideContainer(POLICY, { kind: 'injected', agent: 'service-connect', reason: 'AWS-injected X' }),
    ).toMatchObject({
      outcome: 'skip',
      reason: ReasonCode.TRUSTED_IMAGE,
      message: expect.stringMatching(/^AWS-injected X/),
    });
  });
});
