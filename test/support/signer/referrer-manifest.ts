import { goJson, sortedKeys } from './go-json';
import { sha256Digest } from './legacy-signature';
import type { ManifestArtifact } from './sig-manifest';
import { BUNDLE_V03_MEDIA_TYPE, COSIGN_SIGN_PREDICATE_TYPE } from './bundle';

export const OCI_EMPTY_CONFIG = Buffer.from('{}', 'utf8');
export const OCI_EMPTY_CONFIG_DIGEST =
  'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ReferrerArtifact extends ManifestArtifact {
  artifactType: string;
  annotations: Record<string, string>;
}

/**
 * The OCI 1.1 referrer manifest cosign v3 pushes by digest for a bundle (cosign WriteReferrer):
 * empty config `{}` with the artifactType, one bundle layer, the subject, cosign's annotations,
 * and `artifactType` last (cosign's referrerManifest wrapper around go-containerregistry's Manifest).
 */
export function makeBundleReferrerManifest(
  bundleBytes: Buffer,
  subject: Descriptor,
  options: { created?: string; predicateType?: string; artifactType?: string } = {},
): ReferrerArtifact {
  const artifactType = options.artifactType ?? BUNDLE_V03_MEDIA_TYPE;
  const bundleDigest = sha256Digest(bundleBytes);
  const annotations = sortedKeys({
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': options.predicateType ?? COSIGN_SIGN_PREDICATE_TYPE,
    'org.opencontainers.image.created': options.created ?? '2026-01-01T00:00:00Z',
  });
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        size: OCI_EMPTY_CONFIG.length,
        digest: OCI_EMPTY_CONFIG_DIGEST,
        artifactType,
      },
      layers: [{ mediaType: artifactType, size: bundleBytes.length, digest: bundleDigest }],
      annotations,
      subject: { mediaType: subject.mediaType, size: subject.size, digest: subject.digest },
      artifactType,
    }),
    'utf8',
  );
  const blobs = new Map<string, Buffer>([
    [OCI_EMPTY_CONFIG_DIGEST, OCI_EMPTY_CONFIG],
    [bundleDigest, bundleBytes],
  ]);
  return { manifest, mediaType, digest: sha256Digest(manifest), blobs, artifactType, annotations };
}

/** The referrers-API fallback tag (distribution spec): `sha256-<hex>`. */
export function referrersTagFor(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}
