import { constants, verify } from 'node:crypto';
import { SIGNATURE_ANNOTATION, REKOR_BUNDLE_ANNOTATION } from '../../lambda/cosign/media-types';
import { PUBLIC_GOOD_REKOR_KEYS } from '../../lambda/cosign/tlog/rekor-keys';
import type { TlogMode } from '../../lambda/cosign/types';
import { verifyLegacyLayer } from '../../lambda/cosign/legacy';
import { verifySignature } from '../../lambda/keys/verify-signature';
import type { TrustedKey } from '../../lambda/keys/types';
import { ReasonCode } from '../../lambda/reasons';
import {
  context,
  fixtureBytes,
  fixtureDigest,
  fixtureKey,
  fixtureRekorKey,
  fixtureText,
  sha256Of,
} from './real-fixtures';

interface LegacyVector {
  dir: string;
  signature?: string;
  bundle?: string;
  extraAnnotations?: Record<string, string>;
}

function checkVector(
  v: LegacyVector,
  keys: TrustedKey[],
  mode: TlogMode = 'verify-if-present',
  rekorKeys = [fixtureRekorKey('ci-p256-key-rekor-set/rekor.pub')],
) {
  const payload = fixtureBytes(`${v.dir}/payload.json`);
  const annotations: Record<string, string> = {
    ...v.extraAnnotations,
    [SIGNATURE_ANNOTATION]: fixtureText(v.signature ?? `${v.dir}/signature.b64`),
  };
  if (v.bundle !== undefined) annotations[REKOR_BUNDLE_ANNOTATION] = fixtureText(v.bundle);
  return verifyLegacyLayer(
    { artifact: sha256Of(payload), payload, annotations },
    context(fixtureDigest(`${v.dir}/image-digest.txt`), keys, mode, rekorKeys),
  );
}

describe('real cosign legacy signatures (test/fixtures/cosign-real)', () => {
  describe('ci-p256-key-no-tlog (containers/image, ECDSA P-256)', () => {
    const dir = 'ci-p256-key-no-tlog';
    const key = fixtureKey(`${dir}/pubkey.pem`, 'ci');

    it('the image digest is the sha256 of the signed manifest bytes', () => {
      expect(sha256Of(fixtureBytes(`${dir}/image-manifest.json`))).toBe(
        fixtureDigest(`${dir}/image-digest.txt`),
      );
    });

    it('verifies both real signatures by the same key, naming the key', () => {
      for (const signature of [`${dir}/signature.b64`, `${dir}/signature-2.b64`]) {
        const check = checkVector({ dir, signature }, [key]);
        expect(check).toMatchObject({ format: 'legacy', ok: true, reason: ReasonCode.VERIFIED, key: 'ci' });
        expect(check.artifact).toBe(sha256Of(fixtureBytes(`${dir}/payload.json`)));
      }
    });

    it('rejects a real signature by a key we do not trust', () => {
      const check = checkVector({ dir, signature: `${dir}/signature-unknown-key.b64` }, [key]);
      expect(check).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_INVALID });
      expect(check.key).toBeUndefined();
      expect(check.message).toContain('1 trusted key');
    });

    it('rejects the signature under a different real cosign key', () => {
      const check = checkVector({ dir }, [fixtureKey(`${dir}/wrong-pubkey.pem`, 'other')]);
      expect(check).toMatchObject({ ok: false, reason: ReasonCode.SIGNATURE_INVALID });
    });

    it('finds the verifying key among several and says how many were tried when none verifies', () => {
      const other = fixtureKey(`${dir}/wrong-pubkey.pem`, 'other');
      expect(checkVector({ dir }, [other, key])).toMatchObject({ ok: true, key: 'ci' });
      const none = checkVector({ dir }, [other, fixtureKey('rs-p256-busybox/pubkey.pem', 'busybox')]);
      expect(none.reason).toBe(ReasonCode.SIGNATURE_INVALID);
      expect(none.message).toContain('2 trusted key(s)');
      expect(none.message).toContain('"other" and "busybox"');
    });

    it('has no Rekor bundle: TLOG_MISSING when the log is required', () => {
      expect(checkVector({ dir }, [key], 'required')).toMatchObject({
        ok: false,
        reason: ReasonCode.TLOG_MISSING,
        key: 'ci',
      });
      expect(checkVector({ dir }, [key], 'ignore')).toMatchObject({ ok: true, reason: ReasonCode.VERIFIED });
    });
  });

  describe('ci-p256-key-rekor-set (containers/image, key + public Rekor SET)', () => {
    const dir = 'ci-p256-key-rekor-set';
    const v = { dir, bundle: `${dir}/bundle.json` };
    const key = fixtureKey(`${dir}/pubkey.pem`, 'rekor-signed');

    it('the image digest is the sha256 of the signed manifest bytes', () => {
      expect(sha256Of(fixtureBytes(`${dir}/image-manifest.json`))).toBe(
        fixtureDigest(`${dir}/image-digest.txt`),
      );
    });

    it('verifies signature, claims, SET and logged entry with the fixture rekor.pub', () => {
      const check = checkVector(v, [key], 'required');
      expect(check).toMatchObject({ ok: true, reason: ReasonCode.VERIFIED, key: 'rekor-signed' });
      expect(check.message).toContain('11608800');
    });

    it('verifies with the built-in public-good Rekor key', () => {
      expect(checkVector(v, [key], 'required', [...PUBLIC_GOOD_REKOR_KEYS])).toMatchObject({ ok: true });
    });

    it('is TLOG_INVALID when no trusted log has the entry logID', () => {
      const check = checkVector(v, [key], 'verify-if-present', []);
      expect(check).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
      expect(check.message).toContain('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
    });

    it('ignores the bundle entirely in ignore mode', () => {
      expect(checkVector(v, [key], 'ignore', [])).toMatchObject({ ok: true, reason: ReasonCode.VERIFIED });
    });
  });

  describe('ci-rsa4096-pkcs1v15-x509 (RSA-4096 PKCS#1 v1.5, key in an X.509 certificate)', () => {
    const dir = 'ci-rsa4096-pkcs1v15-x509';
    const annotations = JSON.parse(fixtureText(`${dir}/annotations.json`)) as Record<string, string>;

    it('the annotation is MIME-wrapped base64 and equals signature.b64', () => {
      expect(annotations[SIGNATURE_ANNOTATION]).toContain('\n');
      expect(annotations[SIGNATURE_ANNOTATION]).toBe(fixtureText(`${dir}/signature.b64`));
      expect(sha256Of(fixtureBytes(`${dir}/image-manifest.json`))).toBe(
        fixtureDigest(`${dir}/image-digest.txt`),
      );
    });

    it('verifies with the SPKI public key and with the certificate PEM as the key', () => {
      for (const keyFile of ['pubkey.pem', 'certificate.pem']) {
        const key = fixtureKey(`${dir}/${keyFile}`, keyFile);
        const check = checkVector({ dir, extraAnnotations: annotations }, [key], 'verify-if-present');
        expect(check).toMatchObject({ ok: true, reason: ReasonCode.VERIFIED, key: keyFile });
      }
    });
  });

  describe('rs-p256-busybox (sigstore-rs)', () => {
    it('verifies', () => {
      const key = fixtureKey('rs-p256-busybox/pubkey.pem');
      expect(checkVector({ dir: 'rs-p256-busybox' }, [key])).toMatchObject({
        ok: true,
        reason: ReasonCode.VERIFIED,
      });
    });
  });

  describe('rs-rsa2048-pkcs1v15-suse-obs (production SUSE OBS signer, RSA-2048)', () => {
    it('verifies as PKCS#1 v1.5 / SHA-256', () => {
      const key = fixtureKey('rs-rsa2048-pkcs1v15-suse-obs/pubkey.pem');
      expect(checkVector({ dir: 'rs-rsa2048-pkcs1v15-suse-obs' }, [key])).toMatchObject({ ok: true });
    });
  });

  describe('gcpkms-p256-salrashid (real cloud-KMS signature, 2-layer .sig manifest)', () => {
    const dir = 'gcpkms-p256-salrashid';
    const kmsKey = fixtureKey(`${dir}/pubkey.pem`, 'gcp-kms');
    const keylessKey = fixtureKey(`${dir}/keyless-layer/certificate.pem`, 'fulcio-cert');
    const manifest = JSON.parse(fixtureText(`${dir}/sig-manifest.pretty.json`)) as {
      layers: { mediaType: string; size: number; digest: string; annotations: Record<string, string> }[];
    };
    const payload = fixtureBytes(`${dir}/payload.json`);
    const ctx = (keys: TrustedKey[], mode: TlogMode) =>
      context(fixtureDigest(`${dir}/image-digest.txt`), keys, mode, [
        fixtureRekorKey(`${dir}/keyless-layer/rekor.pub`),
      ]);
    const layer = (i: number) => {
      const l = manifest.layers[i];
      if (l === undefined) throw new Error(`no layer ${i}`);
      return { artifact: l.digest, payload, annotations: l.annotations };
    };

    it('both layers name the same payload blob (digest and size)', () => {
      expect(manifest.layers).toHaveLength(2);
      for (const l of manifest.layers) {
        expect(l.digest).toBe(sha256Of(payload));
        expect(l.size).toBe(payload.length);
      }
      expect(manifest.layers[0]?.annotations[SIGNATURE_ANNOTATION]).toBe(fixtureText(`${dir}/signature.b64`));
    });

    it('verifies each layer with its own key, straight from the manifest annotations', () => {
      const keys = [kmsKey, keylessKey];
      expect(verifyLegacyLayer(layer(0), ctx(keys, 'verify-if-present'))).toMatchObject({
        ok: true,
        key: 'gcp-kms',
      });
      expect(verifyLegacyLayer(layer(1), ctx(keys, 'required'))).toMatchObject({
        ok: true,
        key: 'fulcio-cert',
      });
    });

    it('the KMS layer (not logged) is TLOG_MISSING when required; the keyless layer carries a valid SET', () => {
      expect(verifyLegacyLayer(layer(0), ctx([kmsKey], 'required'))).toMatchObject({
        reason: ReasonCode.TLOG_MISSING,
      });
      const logged = verifyLegacyLayer(layer(1), ctx([keylessKey], 'required'));
      expect(logged).toMatchObject({ reason: ReasonCode.VERIFIED });
      expect(logged.message).toContain('19941761');
    });

    it('a layer signed by an untrusted key fails on its own', () => {
      expect(verifyLegacyLayer(layer(0), ctx([kmsKey], 'verify-if-present')).ok).toBe(true);
      expect(verifyLegacyLayer(layer(1), ctx([kmsKey], 'verify-if-present'))).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    });
  });

  describe('negatives (each must be rejected with the right reason)', () => {
    it('tampered-payload → SIGNATURE_INVALID', () => {
      const key = fixtureKey('negatives/tampered-payload/pubkey.pem');
      expect(checkVector({ dir: 'negatives/tampered-payload' }, [key])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    });

    it('tampered-signature → SIGNATURE_INVALID', () => {
      const key = fixtureKey('negatives/tampered-signature/pubkey.pem');
      expect(checkVector({ dir: 'negatives/tampered-signature' }, [key])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    });

    it('wrong-key → SIGNATURE_INVALID', () => {
      const key = fixtureKey('negatives/wrong-key/pubkey.pem');
      expect(checkVector({ dir: 'negatives/wrong-key' }, [key])).toMatchObject({
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
      });
    });

    it('digest-mismatch → DIGEST_MISMATCH (a genuine signature, for another image)', () => {
      const dir = 'negatives/digest-mismatch';
      expect(sha256Of(fixtureBytes(`${dir}/image-manifest.json`))).toBe(
        fixtureDigest(`${dir}/image-digest.txt`),
      );
      const check = checkVector({ dir }, [fixtureKey(`${dir}/pubkey.pem`, 'ci')]);
      expect(check).toMatchObject({ ok: false, reason: ReasonCode.DIGEST_MISMATCH, key: 'ci' });
      expect(check.message).toContain('sha256:634a8f35');
      expect(check.message).toContain(fixtureDigest(`${dir}/image-digest.txt`));
    });

    it('rsa-pkcs1-verified-as-pss: the PKCS#1 v1.5 signature fails as PSS; we verify PKCS#1 v1.5 only', () => {
      const dir = 'negatives/rsa-pkcs1-verified-as-pss';
      const key = fixtureKey(`${dir}/pubkey.pem`);
      const payload = fixtureBytes(`${dir}/payload.json`);
      const signature = Buffer.from(fixtureText(`${dir}/signature.b64`), 'base64');
      const asPss = verify(
        'sha256',
        payload,
        {
          key: key.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
      expect(asPss).toBe(false);
      expect(verifySignature(key, payload, signature)).toBe(true);
      expect(checkVector({ dir }, [key])).toMatchObject({ ok: true, reason: ReasonCode.VERIFIED });
      // A signature actually made with PSS is refused: see legacy-layer.test.ts ("RSA-PSS signature").
    });

    it('rekor-set-tampered → TLOG_INVALID unless the log is ignored', () => {
      const dir = 'negatives/rekor-set-tampered';
      const key = fixtureKey(`${dir}/pubkey.pem`);
      const rekor = [fixtureRekorKey(`${dir}/rekor.pub`)];
      for (const mode of ['verify-if-present', 'required'] as const) {
        const check = checkVector({ dir, bundle: `${dir}/bundle.json` }, [key], mode, rekor);
        expect(check).toMatchObject({ ok: false, reason: ReasonCode.TLOG_INVALID });
        expect(check.message).toContain('SET');
      }
      expect(checkVector({ dir, bundle: `${dir}/bundle.json` }, [key], 'ignore', rekor).ok).toBe(true);
    });
  });
});
