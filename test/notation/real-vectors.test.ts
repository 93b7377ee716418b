import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ReasonCode } from '../../lambda/reasons';
import type { NotationCheckName, NotationVerifier, TrustStore } from '../../lambda/notation/types';
import { verifyNotationEnvelope } from '../../lambda/notation/verify-envelope';
import {
  loadNotationVector,
  notationFixtureBytes,
  notationFixturePath,
  notationVectorIds,
  pemCertificates,
  type NotationVector,
} from '../support/notation/fixtures';

/** The GlobalSign Root R6 the timestamped vectors use, for alternatives that add "any tsa store". */
const GLOBALSIGN_TSA_ROOT = 'jws-ps256-rfc3161-timestamp-valid/tsa-root.pem';

interface Scenario {
  label: string;
  time: string;
  withTsa: boolean;
  verdict: 'valid' | 'invalid';
  failedCheck: NotationCheckName | undefined;
}

/** vector.json spells the descriptor step "descriptorMismatch"; the contract calls it "descriptor". */
function checkName(name: string | null | undefined): NotationCheckName | undefined {
  if (name === null || name === undefined) return undefined;
  return (name === 'descriptorMismatch' ? 'descriptor' : name) as NotationCheckName;
}

/** "valid", "invalid:expiry", "invalid:authenticTimestamp (…)", "valid (token ignored)". */
function parseVerdict(
  text: string,
): { verdict: 'valid' | 'invalid'; failedCheck: NotationCheckName | undefined } | undefined {
  const m = /^(valid|invalid)(?::(\w+))?(?:\s|$)/.exec(text);
  if (m === null) return undefined;
  return { verdict: m[1] as 'valid' | 'invalid', failedCheck: checkName(m[2]) };
}

/** Alternatives in vector.json that state no verdict (the TSA root they need is not public). */
const NO_VERDICT_ALTERNATIVES = new Set(['jws-ps256-e2e-timestamped-time-dependent: tsa store configured']);

function scenarios(v: NotationVector): Scenario[] {
  const ownTsa = v.tsaTrustAnchors !== undefined;
  const list: Scenario[] = [
    {
      label: `pinned ${v.verificationTime}${ownTsa ? ' with its tsa store' : ''}`,
      time: v.verificationTime,
      withTsa: ownTsa,
      verdict: v.expected.verdict,
      failedCheck: checkName(v.expected.failedCheck),
    },
  ];
  for (const alt of v.expectedOtherwise ?? []) {
    const parsed =
      alt.failedCheck !== undefined || alt.verdict === 'valid' || alt.verdict === 'invalid'
        ? { verdict: alt.verdict as 'valid' | 'invalid', failedCheck: checkName(alt.failedCheck) }
        : parseVerdict(alt.verdict);
    if (parsed === undefined) {
      expect(NO_VERDICT_ALTERNATIVES.has(`${v.id}: ${alt.when}`)).toBe(true);
      continue;
    }
    const time = /verificationTime (\S+?),?(?:\s|$)/.exec(alt.when)?.[1] ?? v.verificationTime;
    const withTsa = /no tsa store/i.test(alt.when)
      ? false
      : /tsa store configured/i.test(alt.when)
        ? true
        : ownTsa;
    list.push({ label: `otherwise: ${alt.when}`, time, withTsa, ...parsed });
  }
  // The tool that built the vectors also recorded two fixed points without a tsa store.
  for (const [key, time] of [
    ['at_2026-06-01_without_tsa_store', '2026-06-01T00:00:00Z'],
    ['at_2025-01-21T10:00Z_without_tsa_store', '2025-01-21T10:00:00Z'],
  ] as const) {
    const parsed = parseVerdict(String(v.checkedHere[key]));
    if (parsed !== undefined) list.push({ label: `checked: ${key}`, time, withTsa: false, ...parsed });
  }
  return list;
}

function verifierFor(v: NotationVector, withTsa: boolean): NotationVerifier {
  const policy = v.trustPolicy.trustPolicies[0]!;
  const stores: TrustStore[] = [
    { type: v.trustStoreType, name: 'test', certificates: pemCertificates(`${v.id}/trust-anchor.pem`) },
  ];
  if (withTsa) {
    const own = `${v.id}/tsa-root.pem`;
    const tsaFile = existsSync(notationFixturePath(own)) ? own : GLOBALSIGN_TSA_ROOT;
    stores.push({ type: 'tsa', name: 'test-tsa', certificates: pemCertificates(tsaFile) });
  }
  return {
    kind: 'x509',
    name: `vector:${v.id}`,
    trustStores: stores,
    trustedIdentities: policy.trustedIdentities,
    verifyTimestamp:
      policy.signatureVerification.verifyTimestamp === 'afterCertExpiry' ? 'afterCertExpiry' : 'always',
  };
}

const cases = notationVectorIds().flatMap((id) => {
  const v = loadNotationVector(id);
  return scenarios(v).map((s) => [id, s.label, v, s] as const);
});

describe('every real Notation vector gives its expected verdict', () => {
  it('finds the vendored vectors', () => {
    expect(notationVectorIds()).toHaveLength(22);
  });

  it.each(cases)('%s — %s', async (id, _label, v, scenario) => {
    const envelope = notationFixtureBytes(`${id}/${v.envelope.file}`);
    expect(`sha256:${createHash('sha256').update(envelope).digest('hex')}`).toBe(v.envelope.digest);
    const result = await verifyNotationEnvelope({
      envelope,
      envelopeMediaType: v.envelope.mediaType,
      target: v.targetDescriptor,
      verifiers: [verifierFor(v, scenario.withTsa)],
      now: new Date(scenario.time),
    });
    expect({ ok: result.ok, failedCheck: result.failedCheck }).toEqual({
      ok: scenario.verdict === 'valid',
      failedCheck: scenario.failedCheck,
    });
    if (result.ok) {
      expect(result.reason).toBe(ReasonCode.VERIFIED);
      expect(result.verifier).toBe(`vector:${id}`);
      expect(result.format).toBe(
        v.envelope.mediaType === 'application/cose' ? 'notation-cose' : 'notation-jws',
      );
    } else if (scenario.failedCheck === 'descriptor') {
      expect(result.reason).toBe(ReasonCode.DIGEST_MISMATCH);
    } else if (scenario.failedCheck === 'integrity') {
      expect([ReasonCode.SIGNATURE_INVALID, ReasonCode.SIGNATURE_MALFORMED]).toContain(result.reason);
    } else {
      expect(result.reason).toBe(ReasonCode.SIGNATURE_INVALID);
      expect(result.message).toContain(`${scenario.failedCheck} check failed`);
    }
  });
});
