import fc from 'fast-check';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  IN_TOTO_STATEMENT_V01,
} from '../../lambda/cosign/media-types';
import { MAX_BUNDLE_BYTES } from '../../lambda/cosign/limits';
import { verifyBundle } from '../../lambda/cosign/bundle';
import { parsePemKey } from '../../lambda/keys/pem-key';
import type { HashAlgorithm, TrustedKey } from '../../lambda/keys/types';
import { ReasonCode } from '../../lambda/reasons';
import {
  goJson,
  makeBundle,
  makeCosignStatement,
  makeMessageSignatureBundle,
  sha256Digest,
  sharedTestKey,
  signBytes,
  type TestKeyKind,
} from '../support/signer';
import { context } from './real-fixtures';

const IMAGE = 'sha256:' + '7a'.repeat(32);
const IMAGE_HEX = IMAGE.slice(7);
const REFERRER = 'sha256:' + 'cd'.repeat(32);

const trusted = (kind: TestKeyKind, name: string = kind, hashAlgorithm?: HashAlgorithm): TrustedKey =>
  parsePemKey({
    name,
    pem: sharedTestKey(kind).publicKeyPem,
    source: `${name}.pub`,
    ...(hashAlgorithm === undefined ? {} : { hashAlgorithm }),
  });

const check = (bytes: Buffer, keys: TrustedKey[], imageDigest = IMAGE) =>
  verifyBundle({ artifact: REFERRER, bytes }, context(imageDigest, keys, 'verify-if-present'));

type MutableBundle = Record<string, unknown> & {
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  verificationMaterial: Record<string, unknown>;
};
const edit = (bytes: Buffer, change: (b: MutableBundle) => void): Buffer => {
  const b = JSON.parse(bytes.toString()) as MutableBundle;
  change(b);
  return Buffer.from(JSON.stringify(b));
};

describe('verifyBundle (DSSE) with the test signer', () => {
  const roundTrips: [TestKeyKind, HashAlgorithm][] = [
    ['p256', 'sha256'],
    ['p384', 'sha384'],
    ['p384', 'sha256'],
    ['p521', 'sha512'],
    ['rsa2048', 'sha256'],
    ['rsa4096', 'sha256'],
    ['ed25519', 'sha256'],
  ];

  it.each(roundTrips)('%s/%s round trip', (kind, hash) => {
    const bytes = makeBundle({ imageDigest: IMAGE, key: sharedTestKey(kind), hash });
    expect(check(bytes, [trusted(kind, 'ci', hash)])).toEqual({
      format: 'bundle',
      artifact: REFERRER,
      key: 'ci',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: expect.stringContaining('DSSE signature verified with key "ci"') as unknown as string,
    });
  });

  it('P-384/SHA-384 bundle fails with a PEM key left at the sha256 default (cosign#5091), passes with sha384', () => {
    const bytes = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p384'), hash: 'sha384' });
    expect(check(bytes, [trusted('p384')])).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
    expect(check(bytes, [trusted('p384', 'p384', 'sha384')]).ok).toBe(true);
  });

  it.each([
    BUNDLE_V01_MEDIA_TYPE,
    BUNDLE_V02_MEDIA_TYPE,
    BUNDLE_V03_MEDIA_TYPE,
    BUNDLE_V03_LEGACY_MEDIA_TYPE,
  ])('accepts media type %s', (mediaType) => {
    expect(
      check(makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256'), mediaType }), [trusted('p256')]).ok,
    ).toBe(true);
  });

  it('a newer bundle version is UNSUPPORTED_FORMAT; a non-bundle media type is SIGNATURE_MALFORMED', () => {
    const v4 = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json',
    });
    expect(check(v4, [trusted('p256')])).toMatchObject({ ok: false, reason: ReasonCode.UNSUPPORTED_FORMAT });
    const other = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      mediaType: 'application/json',
    });
    expect(check(other, [trusted('p256')])).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_MALFORMED,
    });
  });

  it('a statement v0.1 and the cosign ≥ 3.0.5 empty predicate are accepted', () => {
    const v01 = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      statementType: IN_TOTO_STATEMENT_V01,
      predicate: {},
    });
    expect(check(v01, [trusted('p256')]).ok).toBe(true);
  });

  it('an attestation-only bundle (another predicate type), even for this image, is NOT_A_SIGNATURE', () => {
    for (const predicateType of [
      'https://slsa.dev/provenance/v1',
      'https://spdx.dev/Document',
      'https://sigstore.dev/cosign/sign/v2',
    ]) {
      const bytes = makeBundle({
        imageDigest: IMAGE,
        key: sharedTestKey('p256'),
        predicateType,
        predicate: { big: 'x' },
      });
      const result = check(bytes, [trusted('p256', 'ci')]);
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.NOT_A_SIGNATURE, key: 'ci' });
      expect(result.message).toContain(predicateType);
    }
  });

  it('a DSSE payload type other than in-toto is NOT_A_SIGNATURE', () => {
    const bytes = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      payloadType: 'application/vnd.cncf.notary.payload.v1+json',
    });
    expect(check(bytes, [trusted('p256')])).toMatchObject({ ok: false, reason: ReasonCode.NOT_A_SIGNATURE });
  });

  it('subjects: DIGEST_MISMATCH unless some subject is the image; several subjects are fine', () => {
    const otherHex = 'ee'.repeat(32);
    const other = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256'), subjectDigests: [otherHex] });
    const result = check(other, [trusted('p256', 'ci')]);
    expect(result).toMatchObject({ ok: false, reason: ReasonCode.DIGEST_MISMATCH, key: 'ci' });
    expect(result.message).toContain(`sha256:${otherHex}`);
    const several = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      subjectDigests: [otherHex, IMAGE_HEX],
    });
    expect(check(several, [trusted('p256')]).ok).toBe(true);
    const upper = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p256'),
      subjectDigests: [IMAGE_HEX.toUpperCase()],
    });
    expect(check(upper, [trusted('p256')]).reason).toBe(ReasonCode.DIGEST_MISMATCH);
  });

  it('tampered payload or signature → SIGNATURE_INVALID', () => {
    for (const tamper of ['payload', 'signature'] as const) {
      const bytes = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256'), tamper });
      expect(check(bytes, [trusted('p256')])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    }
  });

  it('the publicKey hint only orders keys: a wrong or foreign hint does not stop the right key', () => {
    const keys = [trusted('rsa2048', 'rsa'), trusted('p256', 'ec')];
    for (const hint of [
      false,
      'bm90IGEga2V5',
      sharedTestKey('rsa2048').hint,
      sharedTestKey('p256').hint,
    ] as const) {
      const bytes = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256'), hint });
      expect(check(bytes, keys)).toMatchObject({ ok: true, key: 'ec' });
    }
    const hintedButUntrusted = makeBundle({
      imageDigest: IMAGE,
      key: sharedTestKey('p521'),
      hint: sharedTestKey('p256').hint,
    });
    expect(check(hintedButUntrusted, keys)).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
  });

  it('any one DSSE signature by a trusted key is enough', () => {
    const bytes = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256') });
    const twoSigs = edit(bytes, (b) => {
      b.dsseEnvelope.signatures.unshift({ sig: Buffer.from('garbage-signature').toString('base64') });
    });
    expect(check(twoSigs, [trusted('p256')]).ok).toBe(true);
  });

  describe('malformed bundles fail alone, without throwing', () => {
    const good = makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256') });
    const signedPayload = (payload: string) =>
      makeBundle({ imageDigest: IMAGE, key: sharedTestKey('p256'), payload: Buffer.from(payload) });
    it.each([
      ['not JSON', Buffer.from('{"mediaType":'), ReasonCode.SIGNATURE_MALFORMED],
      ['a JSON array', Buffer.from('[]'), ReasonCode.SIGNATURE_MALFORMED],
      ['no mediaType', edit(good, (b) => delete b.mediaType), ReasonCode.SIGNATURE_MALFORMED],
      [
        'no verificationMaterial',
        edit(good, (b) => delete (b as Record<string, unknown>).verificationMaterial),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      [
        'no content',
        edit(good, (b) => delete (b as Record<string, unknown>).dsseEnvelope),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      ['both contents', edit(good, (b) => (b.messageSignature = {})), ReasonCode.SIGNATURE_MALFORMED],
      [
        'payload not base64',
        edit(good, (b) => (b.dsseEnvelope.payload = 'e30*')),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      ['no signatures', edit(good, (b) => (b.dsseEnvelope.signatures = [])), ReasonCode.SIGNATURE_MALFORMED],
      [
        'signature not base64',
        edit(good, (b) => (b.dsseEnvelope.signatures = [{ sig: '!!' }])),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      [
        'too many signatures',
        edit(good, (b) => (b.dsseEnvelope.signatures = Array.from({ length: 17 }, () => ({ sig: 'AAAA' })))),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      ['too large', Buffer.alloc(MAX_BUNDLE_BYTES + 1, 0x20), ReasonCode.LIMIT_EXCEEDED],
      ['a signed payload that is not JSON', signedPayload('nope'), ReasonCode.SIGNATURE_MALFORMED],
      [
        'a signed non-in-toto _type',
        signedPayload('{"_type":"x","predicateType":"https://sigstore.dev/cosign/sign/v1"}'),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      [
        'a signed statement without subjects',
        signedPayload(
          '{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://sigstore.dev/cosign/sign/v1","subject":[]}',
        ),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
      [
        'case-variant statement fields (protojson is exact)',
        signedPayload(
          `{"_Type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${IMAGE_HEX}"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1"}`,
        ),
        ReasonCode.SIGNATURE_MALFORMED,
      ],
    ])('%s → %s', (_what, bytes, reason) => {
      expect(check(bytes, [trusted('p256')])).toMatchObject({ ok: false, reason });
    });
  });

  it('property: any byte change in the signed statement is refused', () => {
    const key = sharedTestKey('p256');
    const statement = makeCosignStatement({ imageDigest: IMAGE });
    const bytes = makeBundle({ imageDigest: IMAGE, key });
    fc.assert(
      fc.property(fc.nat({ max: statement.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const changed = Buffer.from(statement);
        changed[i] = (changed[i] ?? 0) ^ x;
        const tampered = edit(bytes, (b) => (b.dsseEnvelope.payload = changed.toString('base64')));
        const result = check(tampered, [trusted('p256')]);
        return !result.ok && result.reason === ReasonCode.SIGNATURE_INVALID;
      }),
      { numRuns: 200 },
    );
  });
});

describe('verifyBundle (messageSignature): not an image signature, never accepted', () => {
  const manifest = Buffer.from(
    goJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }),
  );
  const manifestDigest = sha256Digest(manifest);

  it.each(['p256', 'rsa2048', 'ed25519'] as const)(
    '%s: a valid `cosign sign-blob` signature over the image manifest itself → UNSUPPORTED_FORMAT',
    (kind) => {
      const bytes = makeMessageSignatureBundle({ artifact: manifest, key: sharedTestKey(kind) });
      const result = check(bytes, [trusted(kind, 'ci')], manifestDigest);
      expect(result).toMatchObject({ ok: false, reason: ReasonCode.UNSUPPORTED_FORMAT });
      expect(result.key).toBeUndefined();
      expect(result.message).toMatch(/messageSignature.*sign-blob.*DSSE/);
    },
  );

  it('also when the tlog is ignored, and whatever the digest claims', () => {
    const relabelled = edit(
      makeMessageSignatureBundle({ artifact: Buffer.from('tarball'), key: sharedTestKey('p256') }),
      (b) => {
        (b.messageSignature as { messageDigest: { digest: string } }).messageDigest.digest = Buffer.from(
          manifestDigest.slice(7),
          'hex',
        ).toString('base64');
      },
    );
    const result = verifyBundle(
      { artifact: REFERRER, bytes: relabelled },
      context(manifestDigest, [trusted('p256')], 'ignore'),
    );
    expect(result).toMatchObject({ ok: false, reason: ReasonCode.UNSUPPORTED_FORMAT });
  });

  it('the signer still makes what cosign sign-blob makes (signature over the artifact bytes)', () => {
    const key = sharedTestKey('rsa2048');
    const bytes = makeMessageSignatureBundle({ artifact: manifest, key });
    const parsed = JSON.parse(bytes.toString()) as { messageSignature: { signature: string } };
    expect(parsed.messageSignature.signature).toBe(signBytes(key, manifest, 'sha256').toString('base64'));
  });
});
