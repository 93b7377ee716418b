import fc from 'fast-check';
import { GuardError } from '../../lambda/errors';
import { SIGNATURE_ANNOTATION } from '../../lambda/cosign/media-types';
import { MAX_SIMPLE_SIGNING_PAYLOAD_BYTES } from '../../lambda/cosign/limits';
import { verifyLegacyLayer, type LegacyLayerInput } from '../../lambda/cosign/legacy';
import { parsePemKey } from '../../lambda/keys/pem-key';
import type { HashAlgorithm, TrustedKey } from '../../lambda/keys/types';
import { ReasonCode } from '../../lambda/reasons';
import {
  makeLegacySignature,
  makeSigManifest,
  sha256Digest,
  sharedTestKey,
  signBytes,
  type LegacySignature,
  type TestKeyKind,
} from '../support/signer';
import { context } from './real-fixtures';

const IMAGE = 'sha256:' + '5e'.repeat(32);
const REFERENCE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments/api';

const trusted = (kind: TestKeyKind, name: string = kind, hashAlgorithm?: HashAlgorithm): TrustedKey =>
  parsePemKey({
    name,
    pem: sharedTestKey(kind).publicKeyPem,
    source: `${name}.pub`,
    ...(hashAlgorithm === undefined ? {} : { hashAlgorithm }),
  });

const layerOf = (sig: LegacySignature): LegacyLayerInput => ({
  artifact: sig.digest,
  payload: sig.payload,
  annotations: sig.annotations,
});

const check = (sig: LegacySignature, keys: TrustedKey[], imageDigest = IMAGE) =>
  verifyLegacyLayer(layerOf(sig), context(imageDigest, keys));

/** Sign arbitrary payload bytes with P-256 (for malformed / case-variant payloads). */
const signedRaw = (payload: string): LegacySignature =>
  makeLegacySignature({
    imageDigest: IMAGE,
    dockerReference: REFERENCE,
    key: sharedTestKey('p256'),
    payload: Buffer.from(payload),
  });

describe('verifyLegacyLayer with the test signer', () => {
  const roundTrips: [TestKeyKind, HashAlgorithm][] = [
    ['p256', 'sha256'],
    ['p384', 'sha256'],
    ['p384', 'sha384'],
    ['p521', 'sha512'],
    ['rsa2048', 'sha256'],
    ['rsa3072', 'sha256'],
    ['rsa4096', 'sha256'],
    ['ed25519', 'sha256'],
  ];

  it.each(roundTrips)('%s signing with %s verifies with a key configured for %s', (kind, hash) => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey(kind),
      hash,
    });
    const result = check(sig, [trusted(kind, 'ci', hash)]);
    expect(result).toEqual({
      format: 'legacy',
      artifact: sig.digest,
      key: 'ci',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: expect.stringContaining('key "ci"') as unknown as string,
    });
  });

  it.each(roundTrips)('%s/%s: a tampered payload or signature is SIGNATURE_INVALID', (kind, hash) => {
    for (const tamper of ['payload', 'signature'] as const) {
      const sig = makeLegacySignature({
        imageDigest: IMAGE,
        dockerReference: REFERENCE,
        key: sharedTestKey(kind),
        hash,
        tamper,
      });
      expect(check(sig, [trusted(kind, 'ci', hash)])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    }
  });

  describe('P-384 and the hash cosign uses for PEM keys', () => {
    const sha256 = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('p384'),
      hash: 'sha256',
    });
    const sha384 = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('p384'),
      hash: 'sha384',
    });

    it('a PEM key (default sha256) verifies a SHA-256 P-384 signature', () => {
      expect(check(sha256, [trusted('p384')]).ok).toBe(true);
    });

    it('a PEM key (default sha256) fails a SHA-384 P-384 signature (as cosign verify --key does)', () => {
      expect(check(sha384, [trusted('p384')])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    });

    it('hashAlgorithm sha384 makes the SHA-384 signature verify (as a KMS ECC_NIST_P384 key does)', () => {
      expect(check(sha384, [trusted('p384', 'p384', 'sha384')]).ok).toBe(true);
      expect(check(sha256, [trusted('p384', 'p384', 'sha384')]).ok).toBe(false);
    });

    it('the same key listed with both hashes accepts either signature', () => {
      const keys = [trusted('p384', 'as-256'), trusted('p384', 'as-384', 'sha384')];
      expect(check(sha256, keys)).toMatchObject({ ok: true, key: 'as-256' });
      expect(check(sha384, keys)).toMatchObject({ ok: true, key: 'as-384' });
    });
  });

  it('an RSA-PSS signature is SIGNATURE_INVALID (cosign signs RSA with PKCS#1 v1.5)', () => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('rsa2048'),
      rsaPadding: 'pss',
    });
    expect(check(sig, [trusted('rsa2048')])).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
  });

  it('accepts MIME-wrapped base64 (newline every 76 characters)', () => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('rsa4096'),
      base64WithNewlines: true,
    });
    expect(sig.annotations[SIGNATURE_ANNOTATION]).toContain('\n');
    expect(check(sig, [trusted('rsa4096')]).ok).toBe(true);
  });

  it('ignores -a annotations in optional and certificate annotations', () => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('p256'),
      annotations: { commit: 'abc', env: '<prod>&' },
      certificatePem: '-----BEGIN CERTIFICATE-----\nnot checked\n-----END CERTIFICATE-----\n',
    });
    expect(sig.payload.toString()).toContain('"optional":{"commit":"abc","env":"\\u003cprod\\u003e\\u0026"}');
    expect(check(sig, [trusted('p256')]).ok).toBe(true);
  });

  it('DIGEST_MISMATCH when the signed payload names another image, with the key named', () => {
    const sig = makeLegacySignature({
      imageDigest: 'sha256:' + '00'.repeat(32),
      dockerReference: REFERENCE,
      key: sharedTestKey('p256'),
    });
    const result = check(sig, [trusted('p256', 'ci')]);
    expect(result).toMatchObject({ ok: false, reason: ReasonCode.DIGEST_MISMATCH, key: 'ci' });
    expect(result.message).toContain(IMAGE);
  });

  it('names the verifying key among several; SIGNATURE_INVALID says how many were tried', () => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('rsa2048'),
    });
    expect(
      check(sig, [trusted('p256', 'a'), trusted('rsa2048', 'b'), trusted('ed25519', 'c')]),
    ).toMatchObject({ ok: true, key: 'b' });
    const none = check(sig, [trusted('p256', 'a'), trusted('ed25519', 'c')]);
    expect(none).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_INVALID });
    expect(none.message).toContain('2 trusted key(s)');
    expect(check(sig, []).message).toContain('0 trusted key(s)');
  });

  describe('malformed layers fail alone, without throwing', () => {
    const good = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('p256'),
    });
    const withAnnotation = (value: string | undefined): LegacyLayerInput => ({
      ...layerOf(good),
      annotations: value === undefined ? {} : { [SIGNATURE_ANNOTATION]: value },
    });

    it.each([
      [
        'no annotations at all',
        { ...layerOf(good), annotations: undefined },
        /no dev.cosignproject.cosign\/signature/,
      ],
      ['no signature annotation', withAnnotation(undefined), /no dev.cosignproject.cosign\/signature/],
      ['an empty signature', withAnnotation(''), /not valid base64/],
      ['junk in the base64', withAnnotation('MEUCIQ*#$'), /not valid base64/],
      ['base64 with spaces', withAnnotation('MEUC IQCl'), /not valid base64/],
      ['unpadded base64', withAnnotation('MEUCIQC'), /not valid base64/],
      ['base64url alphabet', withAnnotation('MEUC-_Cl'), /not valid base64/],
    ])('%s → SIGNATURE_MALFORMED', (_what, input, message) => {
      const result = verifyLegacyLayer(input, context(IMAGE, [trusted('p256')]));
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_MALFORMED });
      expect(result.message).toMatch(message);
    });

    it('payload bytes that do not match the layer digest → CONTENT_MISMATCH', () => {
      const result = verifyLegacyLayer(
        { ...layerOf(good), artifact: 'sha256:' + '11'.repeat(32) },
        context(IMAGE, [trusted('p256')]),
      );
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.CONTENT_MISMATCH });
    });

    it('an oversized payload or signature annotation → LIMIT_EXCEEDED', () => {
      const big = Buffer.alloc(MAX_SIMPLE_SIGNING_PAYLOAD_BYTES + 1, 0x20);
      expect(
        verifyLegacyLayer(
          { artifact: sha256Digest(big), payload: big, annotations: good.annotations },
          context(IMAGE, [trusted('p256')]),
        ),
      ).toMatchObject({ ok: false, reason: ReasonCode.LIMIT_EXCEEDED });
      expect(
        verifyLegacyLayer(withAnnotation('A'.repeat(20_000)), context(IMAGE, [trusted('p256')])),
      ).toMatchObject({
        reason: ReasonCode.LIMIT_EXCEEDED,
      });
    });

    it('in a 4-layer .sig manifest, each layer gets its own verdict', () => {
      const wrongKey = makeLegacySignature({
        imageDigest: IMAGE,
        dockerReference: REFERENCE,
        key: sharedTestKey('rsa2048'),
      });
      const notJson = signedRaw('not json at all');
      const sig = makeSigManifest([
        { payload: good.payload, annotations: good.annotations },
        { payload: good.payload, annotations: { other: 'x' } },
        { payload: wrongKey.payload, annotations: wrongKey.annotations },
        { payload: notJson.payload, annotations: notJson.annotations },
      ]);
      const manifest = JSON.parse(sig.manifest.toString()) as {
        layers: { digest: string; annotations: Record<string, string> }[];
      };
      const results = manifest.layers.map((l) =>
        verifyLegacyLayer(
          {
            artifact: l.digest,
            payload: sig.blobs.get(l.digest) ?? Buffer.alloc(0),
            annotations: l.annotations,
          },
          context(IMAGE, [trusted('p256', 'ci')]),
        ),
      );
      expect(results.map((r) => [r.reason, r.key])).toEqual([
        [ReasonCode.VERIFIED, 'ci'],
        [ReasonCode.SIGNATURE_MALFORMED, undefined],
        [ReasonCode.SIGNATURE_INVALID, undefined],
        [ReasonCode.SIGNATURE_MALFORMED, 'ci'],
      ]);
    });
  });

  describe('payload claims (checked only after a trusted key verified the raw bytes)', () => {
    const critical = (image: string, type = '"cosign container image signature"') =>
      `{"critical":{"identity":{"docker-reference":"r"},"image":${image},"type":${type}},"optional":null}`;

    it.each([
      ['not JSON', 'not json', ReasonCode.SIGNATURE_MALFORMED],
      ['a JSON array', '[1]', ReasonCode.SIGNATURE_MALFORMED],
      ['no critical', '{"optional":null}', ReasonCode.SIGNATURE_MALFORMED],
      ['critical not an object', '{"critical":"x"}', ReasonCode.SIGNATURE_MALFORMED],
      [
        'no image',
        '{"critical":{"type":"cosign container image signature"}}',
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      ['digest not a string', critical('{"docker-manifest-digest":42}'), ReasonCode.SIGNATURE_MALFORMED],
      [
        'no type',
        `{"critical":{"image":{"docker-manifest-digest":"${IMAGE}"}}}`,
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      [
        'another type',
        critical(`{"docker-manifest-digest":"${IMAGE}"}`, '"atomic container signature"'),
        ReasonCode.NOT_A_SIGNATURE,
      ],
      [
        'type differs in case (values are exact)',
        critical(`{"docker-manifest-digest":"${IMAGE}"}`, '"Cosign Container Image Signature"'),
        ReasonCode.NOT_A_SIGNATURE,
      ],
      [
        'digest in upper case hex',
        critical(`{"docker-manifest-digest":"${IMAGE.toUpperCase().replace('SHA256', 'sha256')}"}`),
        ReasonCode.DIGEST_MISMATCH,
      ],
      [
        'digest with whitespace',
        critical(`{"docker-manifest-digest":" ${IMAGE}"}`),
        ReasonCode.DIGEST_MISMATCH,
      ],
    ])('%s → %s (with the key named)', (_what, payload, reason) => {
      const result = check(signedRaw(payload), [trusted('p256', 'ci')]);
      expect(result).toMatchObject({ ok: false, reason, key: 'ci' });
    });

    it('keys match case-insensitively like Go encoding/json (cosign accepts the spec’s "Docker-manifest-digest")', () => {
      for (const payload of [
        `{"critical":{"image":{"Docker-manifest-digest":"${IMAGE}"},"type":"cosign container image signature"}}`,
        `{"CRITICAL":{"IMAGE":{"DOCKER-MANIFEST-DIGEST":"${IMAGE}"},"Type":"cosign container image signature"}}`,
        // U+212A KELVIN SIGN folds to "k" in Go, so Go matches "doc\u212aer-…" too.
        `{"critical":{"image":{"doc\u212aer-manifest-digest":"${IMAGE}"},"type":"cosign container image signature"}}`,
      ]) {
        expect(check(signedRaw(payload), [trusted('p256')])).toMatchObject({
          ok: true,
          reason: ReasonCode.VERIFIED,
        });
      }
    });

    it('two keys that fold to the same field are ambiguous → SIGNATURE_MALFORMED (Go would silently take the last)', () => {
      const other = 'sha256:' + '00'.repeat(32);
      for (const payload of [
        `{"critical":{"image":{"docker-manifest-digest":"${IMAGE}","Docker-Manifest-Digest":"${other}"},"type":"cosign container image signature"}}`,
        `{"critical":{"image":{"docker-manifest-digest":"${other}"},"type":"cosign container image signature"},"Critical":{"image":{"docker-manifest-digest":"${IMAGE}"},"type":"cosign container image signature"}}`,
      ]) {
        const result = check(signedRaw(payload), [trusted('p256')]);
        expect(result).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_MALFORMED });
        expect(result.message).toContain('more than once');
      }
    });

    it('a non-ASCII look-alike that Go does not fold is not the field', () => {
      const payload = `{"critical":{"image":{"docker-manıfest-digest":"${IMAGE}"},"type":"cosign container image signature"}}`;
      expect(check(signedRaw(payload), [trusted('p256')])).toMatchObject({
        reason: ReasonCode.SIGNATURE_MALFORMED,
      });
    });
  });

  it('an invalid image digest in the context is a caller bug and throws', () => {
    const sig = makeLegacySignature({
      imageDigest: IMAGE,
      dockerReference: REFERENCE,
      key: sharedTestKey('p256'),
    });
    for (const bad of ['sha256:abc', IMAGE.toUpperCase(), 'sha512:' + 'a'.repeat(128), '']) {
      expect(() => verifyLegacyLayer(layerOf(sig), context(bad, [trusted('p256')]))).toThrow(GuardError);
    }
  });

  it('property: any byte change in payload or signature is refused (never VERIFIED, never throws)', () => {
    const key = sharedTestKey('p256');
    const keys = [trusted('p256')];
    const sig = makeLegacySignature({ imageDigest: IMAGE, dockerReference: REFERENCE, key });
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (inSignature, at, x) => {
        const target = Buffer.from(inSignature ? sig.signature : sig.payload);
        const i = at % target.length;
        target[i] = (target[i] ?? 0) ^ x;
        const payload = inSignature ? sig.payload : target;
        const signature = inSignature ? target : sig.signature;
        const result = verifyLegacyLayer(
          {
            artifact: sha256Digest(payload),
            payload,
            annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
          },
          context(IMAGE, keys),
        );
        return !result.ok && result.reason === ReasonCode.SIGNATURE_INVALID;
      }),
      { numRuns: 300 },
    );
  });

  it('property: a fresh signature over any cosign payload verifies exactly for its own digest', () => {
    const key = sharedTestKey('p256');
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const digestA = `sha256:${Buffer.from(a).toString('hex')}`;
          const digestB = `sha256:${Buffer.from(b).toString('hex')}`;
          const sig = makeLegacySignature({ imageDigest: digestA, dockerReference: REFERENCE, key });
          const keys = [trusted('p256')];
          const own = check(sig, keys, digestA);
          const other = check(sig, keys, digestB);
          return own.ok && (digestA === digestB ? other.ok : other.reason === ReasonCode.DIGEST_MISMATCH);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('signBytes matches what the legacy signer puts in the annotation', () => {
    const key = sharedTestKey('ed25519');
    const sig = makeLegacySignature({ imageDigest: IMAGE, dockerReference: REFERENCE, key });
    expect(signBytes(key, sig.payload, 'sha256').toString('base64')).toBe(
      sig.annotations[SIGNATURE_ANNOTATION],
    );
  });
});
