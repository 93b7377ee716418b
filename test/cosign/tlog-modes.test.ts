import type { TlogMode } from '../../lambda/cosign/types';
import { verifyBundle } from '../../lambda/cosign/bundle';
import { verifyLegacyLayer } from '../../lambda/cosign/legacy';
import { parsePemKey } from '../../lambda/keys/pem-key';
import { ReasonCode } from '../../lambda/reasons';
import {
  REKOR_BUNDLE_ANNOTATION,
  generateTestRekorKey,
  goJson,
  makeBundle,
  makeLegacySignature,
  sharedTestKey,
  type BundleTlogOptions,
  type LegacyRekorOptions,
} from '../support/signer';
import { context } from './real-fixtures';

const IMAGE = 'sha256:' + '3c'.repeat(32);
const REFERRER = 'sha256:' + '9d'.repeat(32);
const rekor = generateTestRekorKey();
const strangerLog = generateTestRekorKey();
const signer = sharedTestKey('p256');
const key = parsePemKey({ name: 'ci', pem: signer.publicKeyPem, source: 'ci.pub' });
const MODES: TlogMode[] = ['ignore', 'verify-if-present', 'required'];

type Evidence = 'present-valid' | 'present-tampered' | 'absent';
const EXPECTED: Record<TlogMode, Record<Evidence, ReasonCode>> = {
  ignore: {
    'present-valid': ReasonCode.VERIFIED,
    'present-tampered': ReasonCode.VERIFIED,
    absent: ReasonCode.VERIFIED,
  },
  'verify-if-present': {
    'present-valid': ReasonCode.VERIFIED,
    'present-tampered': ReasonCode.TLOG_INVALID,
    absent: ReasonCode.VERIFIED,
  },
  required: {
    'present-valid': ReasonCode.VERIFIED,
    'present-tampered': ReasonCode.TLOG_INVALID,
    absent: ReasonCode.TLOG_MISSING,
  },
};
const matrix = MODES.flatMap((mode) =>
  (Object.keys(EXPECTED[mode]) as Evidence[]).map(
    (evidence) => [mode, evidence, EXPECTED[mode][evidence]] as const,
  ),
);

describe('tlog modes × evidence: legacy layer with dev.sigstore.cosign/bundle', () => {
  const layer = (rekorOptions?: Omit<LegacyRekorOptions, 'testRekorKey'>) => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: 'registry.example/app',
      key: signer,
      ...(rekorOptions === undefined ? {} : { rekor: { testRekorKey: rekor, ...rekorOptions } }),
    });
    return { artifact: sig.digest, payload: sig.payload, annotations: sig.annotations };
  };
  const run = (input: ReturnType<typeof layer>, mode: TlogMode, rekorKeys = [rekor.rekorKey]) =>
    verifyLegacyLayer(input, context(IMAGE, [key], mode, rekorKeys));

  it.each(matrix)('%s, %s → %s', (mode, evidence, expected) => {
    const input =
      evidence === 'absent' ? layer() : layer(evidence === 'present-tampered' ? { tamper: 'set' } : {});
    const result = run(input, mode);
    expect(result).toMatchObject({ reason: expected, ok: expected === ReasonCode.VERIFIED, key: 'ci' });
  });

  it.each([
    ['the SET is flipped', { tamper: 'set' }, /SET/],
    ['integratedTime changed after signing', { tamper: 'integrated-time' }, /SET/],
    ['the logged payload hash differs', { tamper: 'body-hash' }, /different payload hash/],
    ['the logged signature differs', { tamper: 'body-signature' }, /different signature/],
    [
      'the logged key is another key',
      { loggedPublicKeyPem: sharedTestKey('p384').publicKeyPem },
      /different public key/,
    ],
  ] as const)('TLOG_INVALID when %s', (_what, options, message) => {
    for (const mode of ['verify-if-present', 'required'] as const) {
      const result = run(layer(options), mode);
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
      expect(result.message).toMatch(message);
    }
  });

  it('TLOG_INVALID when the entry is from a log we do not trust, or the annotation is not a Rekor bundle', () => {
    expect(run(layer({}), 'verify-if-present', [strangerLog.rekorKey]).message).toContain(
      `logID ${rekor.logId}`,
    );
    const input = layer({});
    for (const junk of [
      'not json',
      '{}',
      '{"SignedEntryTimestamp":"!!","Payload":{}}',
      'x'.repeat(300_000),
    ]) {
      const result = run(
        { ...input, annotations: { ...input.annotations, [REKOR_BUNDLE_ANNOTATION]: junk } },
        'verify-if-present',
      );
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
    }
  });

  it('the logged key may be a certificate for the verifying key (keyless-style entry) — covered by the real gcpkms vector', () => {
    // Real vector: real-legacy-vectors.test.ts "the keyless layer carries a valid SET".
    expect(run(layer({}), 'required').ok).toBe(true);
  });
});

describe('tlog modes × evidence: Sigstore bundle (DSSE, Rekor v1 dsse entry)', () => {
  const bundle = (tlog?: Omit<BundleTlogOptions, 'testRekorKey'>) =>
    makeBundle({
      imageDigest: IMAGE,
      key: signer,
      ...(tlog === undefined ? {} : { tlog: { testRekorKey: rekor, ...tlog } }),
    });
  const run = (bytes: Buffer, mode: TlogMode, rekorKeys = [rekor.rekorKey]) =>
    verifyBundle({ artifact: REFERRER, bytes }, context(IMAGE, [key], mode, rekorKeys));

  it.each(matrix)('%s, %s → %s', (mode, evidence, expected) => {
    const bytes =
      evidence === 'absent' ? bundle() : bundle(evidence === 'present-tampered' ? { tamper: 'set' } : {});
    expect(run(bytes, mode)).toMatchObject({
      reason: expected,
      ok: expected === ReasonCode.VERIFIED,
      key: 'ci',
    });
  });

  it.each([
    ['the SET is flipped', { tamper: 'set' }, /SET/],
    ['integratedTime changed', { tamper: 'integrated-time' }, /SET/],
    ['payloadHash differs', { tamper: 'payload-hash' }, /different payload hash/],
    ['the logged signature differs', { tamper: 'signature' }, /different signature/],
    [
      'the logged verifier is another key',
      { loggedPublicKeyPem: sharedTestKey('rsa2048').publicKeyPem },
      /different public key/,
    ],
    [
      'only an inclusion proof (Rekor v2, no SET)',
      { withoutSet: true },
      /no signed entry timestamp.*not supported/,
    ],
  ] as const)('TLOG_INVALID when %s', (_what, options, message) => {
    for (const mode of ['verify-if-present', 'required'] as const) {
      const result = run(bundle(options), mode);
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
      expect(result.message).toMatch(message);
    }
    expect(run(bundle(options), 'ignore').ok).toBe(true);
  });

  it('TLOG_INVALID for an untrusted log or malformed entries', () => {
    expect(run(bundle({}), 'verify-if-present', [strangerLog.rekorKey]).reason).toBe(ReasonCode.TLOG_INVALID);
    const bytes = bundle({});
    const withEntries = (entries: unknown) => {
      const b = JSON.parse(bytes.toString()) as { verificationMaterial: Record<string, unknown> };
      b.verificationMaterial.tlogEntries = entries;
      return Buffer.from(goJson(b));
    };
    const good = (
      JSON.parse(bytes.toString()) as { verificationMaterial: { tlogEntries: Record<string, unknown>[] } }
    ).verificationMaterial.tlogEntries[0];
    for (const entries of [
      'nope',
      [1],
      [{ ...good, logIndex: '-1' }],
      [{ ...good, logId: { keyId: 'AAAA' } }],
      [{ ...good, canonicalizedBody: '%%%' }],
      [{ ...good, kindVersion: { kind: 'hashedrekord', version: '0.0.1' } }],
      Array.from({ length: 17 }, () => good),
    ]) {
      expect(run(withEntries(entries), 'verify-if-present')).toMatchObject({
        ok: false,
        reason: ReasonCode.TLOG_INVALID,
      });
    }
    expect(run(withEntries([good, good]), 'required')).toMatchObject({ ok: true });
    expect(run(withEntries([good, { ...good, integratedTime: '1' }]), 'required').reason).toBe(
      ReasonCode.TLOG_INVALID,
    );
  });
});
