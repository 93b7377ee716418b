import { preAuthEncoding } from '../../lambda/cosign/dsse';
import { COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE } from '../../lambda/cosign/media-types';
import { PUBLIC_GOOD_REKOR_KEYS } from '../../lambda/cosign/tlog/rekor-keys';
import { verifyBundle } from '../../lambda/cosign/bundle';
import { verifySignature } from '../../lambda/keys/verify-signature';
import { ReasonCode } from '../../lambda/reasons';
import {
  context,
  fixtureBytes,
  fixtureDigest,
  fixtureKey,
  fixtureRekorKey,
  fixtureText,
} from './real-fixtures';

const KUBEWARDEN = 'v3-bundle-dsse-keyless-kubewarden';
const REFERRER = 'sha256:' + 'ab'.repeat(32);

interface BundleJson {
  mediaType: string;
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  verificationMaterial: Record<string, unknown>;
}

describe('real cosign v3 bundle (kubewarden-controller v1.34.0, DSSE + SET, keyless)', () => {
  const bytes = fixtureBytes(`${KUBEWARDEN}/bundle.json`);
  const bundle = JSON.parse(bytes.toString('utf8')) as BundleJson;
  const imageDigest = fixtureDigest(`${KUBEWARDEN}/image-digest.txt`);
  const certKey = fixtureKey(`${KUBEWARDEN}/pubkey.pem`, 'kubewarden');
  const rekor = [fixtureRekorKey(`${KUBEWARDEN}/rekor.pub`)];

  it('the DSSE payload is the statement and the signed bytes are its PAE', () => {
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    expect(payload.equals(fixtureBytes(`${KUBEWARDEN}/statement.json`))).toBe(true);
    const pae = preAuthEncoding(bundle.dsseEnvelope.payloadType, payload);
    expect(pae.equals(fixtureBytes(`${KUBEWARDEN}/signed-pae.bin`))).toBe(true);
    const sig = Buffer.from(fixtureText(`${KUBEWARDEN}/signature.b64`), 'base64');
    expect(verifySignature(certKey, pae, sig)).toBe(true);
    expect(verifySignature(certKey, payload, sig)).toBe(false);
  });

  it('verifies: signature over PAE, cosign/sign/v1 statement with the image subject, SET and dsse body', () => {
    for (const rekorKeys of [rekor, [...PUBLIC_GOOD_REKOR_KEYS]]) {
      const check = verifyBundle(
        { artifact: REFERRER, bytes },
        context(imageDigest, [certKey], 'required', rekorKeys),
      );
      expect(check).toMatchObject({
        format: 'bundle',
        artifact: REFERRER,
        ok: true,
        reason: ReasonCode.VERIFIED,
        key: 'kubewarden',
      });
      expect(check.message).toContain('1261105807');
    }
  });

  it('verifies with the Fulcio certificate PEM given as the key', () => {
    const key = fixtureKey(`${KUBEWARDEN}/certificate.pem`, 'cert');
    expect(
      verifyBundle({ artifact: REFERRER, bytes }, context(imageDigest, [key], 'required', rekor)),
    ).toMatchObject({
      ok: true,
      key: 'cert',
    });
  });

  it('is DIGEST_MISMATCH for any other image', () => {
    const other = 'sha256:' + '0'.repeat(64);
    const check = verifyBundle({ artifact: REFERRER, bytes }, context(other, [certKey], 'required', rekor));
    expect(check).toMatchObject({ ok: false, reason: ReasonCode.DIGEST_MISMATCH, key: 'kubewarden' });
    expect(check.message).toContain('c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172');
  });

  it('is SIGNATURE_INVALID with another key', () => {
    const other = fixtureKey('ci-p256-key-no-tlog/pubkey.pem', 'ci');
    expect(
      verifyBundle({ artifact: REFERRER, bytes }, context(imageDigest, [other], 'ignore')),
    ).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
  });

  it('tlog modes: TLOG_INVALID without a trusted log key (unless ignored)', () => {
    expect(
      verifyBundle({ artifact: REFERRER, bytes }, context(imageDigest, [certKey], 'verify-if-present', [])),
    ).toMatchObject({
      ok: false,
      reason: ReasonCode.TLOG_INVALID,
    });
    expect(
      verifyBundle({ artifact: REFERRER, bytes }, context(imageDigest, [certKey], 'ignore', [])),
    ).toMatchObject({
      ok: true,
    });
  });

  it('tlog: a changed integratedTime breaks the SET', () => {
    const copy = JSON.parse(bytes.toString('utf8')) as BundleJson & {
      verificationMaterial: { tlogEntries: { integratedTime: string }[] };
    };
    const entry = copy.verificationMaterial.tlogEntries[0];
    if (entry === undefined) throw new Error('fixture has no tlog entry');
    entry.integratedTime = String(Number(entry.integratedTime) + 1);
    const tampered = Buffer.from(JSON.stringify(copy));
    const check = verifyBundle(
      { artifact: REFERRER, bytes: tampered },
      context(imageDigest, [certKey], 'verify-if-present', rekor),
    );
    expect(check).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
    expect(check.message).toContain('SET');
  });

  it('negatives/v3-bundle-tampered-subject → SIGNATURE_INVALID', () => {
    const dir = 'negatives/v3-bundle-tampered-subject';
    const check = verifyBundle(
      { artifact: REFERRER, bytes: fixtureBytes(`${dir}/bundle.json`) },
      context(fixtureDigest(`${dir}/image-digest.txt`), [fixtureKey(`${dir}/pubkey.pem`)], 'required', rekor),
    );
    expect(check).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_INVALID });
  });
});

describe('real KMS-signed DSSE attestation (gcpkms-p256-salrashid) wrapped as a bundle', () => {
  const dir = 'gcpkms-p256-salrashid';
  const envelope = JSON.parse(
    fixtureText(`${dir}/attestation-dsse/envelope.json`),
  ) as BundleJson['dsseEnvelope'];
  const kmsKey = fixtureKey(`${dir}/pubkey.pem`, 'gcp-kms');
  const imageDigest = fixtureDigest(`${dir}/image-digest.txt`);
  const asBundle = Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: { hint: Buffer.from(kmsKey.fingerprint, 'hex').toString('base64') },
      },
      dsseEnvelope: envelope,
    }),
  );

  it('signs the PAE, not the raw payload', () => {
    const payload = Buffer.from(envelope.payload, 'base64');
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(verifySignature(kmsKey, preAuthEncoding(envelope.payloadType, payload), sig)).toBe(true);
    expect(verifySignature(kmsKey, payload, sig)).toBe(false);
  });

  it('a valid attestation for this very image is NOT_A_SIGNATURE (predicate type is not cosign/sign/v1)', () => {
    const check = verifyBundle(
      { artifact: REFERRER, bytes: asBundle },
      context(imageDigest, [kmsKey], 'ignore'),
    );
    expect(check).toMatchObject({ ok: false, reason: ReasonCode.NOT_A_SIGNATURE, key: 'gcp-kms' });
    expect(check.message).toContain('cosign.sigstore.dev/attestation/v1');
    expect(check.message).not.toContain(COSIGN_SIGN_PREDICATE_TYPE);
  });
});
