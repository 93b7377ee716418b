import { createHash } from 'node:crypto';
import {
  BUNDLE_MEDIA_TYPES,
  COSIGN_SIG_ARTIFACT_TYPE,
  OCI_EMPTY_CONFIG_DIGEST,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  isBundleMediaType,
} from '../../lambda/cosign/media-types';
import { fixtureText } from './real-fixtures';

describe('cosign media types and annotation keys', () => {
  it('are the strings found in real cosign artifacts', () => {
    const manifest = fixtureText('gcpkms-p256-salrashid/sig-manifest.pretty.json');
    expect(manifest).toContain(`"mediaType": "${SIMPLE_SIGNING_MEDIA_TYPE}"`);
    expect(manifest).toContain(`"${SIGNATURE_ANNOTATION}"`);
    expect(manifest).toContain(`"${REKOR_BUNDLE_ANNOTATION}"`);
    expect(fixtureText('v3-bundle-dsse-keyless-kubewarden/bundle.json')).toContain(
      `"mediaType": "${BUNDLE_MEDIA_TYPES[2]}"`,
    );
    expect(`sha256:${createHash('sha256').update('{}').digest('hex')}`).toBe(OCI_EMPTY_CONFIG_DIGEST);
    expect(COSIGN_SIG_ARTIFACT_TYPE).toBe('application/vnd.dev.cosign.artifact.sig.v1+json');
  });

  it('isBundleMediaType recognises every bundle version by cosign’s prefix rule', () => {
    for (const t of [...BUNDLE_MEDIA_TYPES, 'application/vnd.dev.sigstore.bundle.v0.4+json']) {
      expect(isBundleMediaType(t)).toBe(true);
    }
    for (const t of [SIMPLE_SIGNING_MEDIA_TYPE, 'application/vnd.in-toto+json', '', 'application/json']) {
      expect(isBundleMediaType(t)).toBe(false);
    }
  });
});
