import { goJson, sortedKeys } from './go-json';
import { sha256Digest } from './legacy-signature';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export interface SigLayer {
  payload: Buffer;
  annotations: Record<string, string>;
}

/** A manifest plus every blob it references, ready to push (the manifest by tag or digest). */
export interface ManifestArtifact {
  manifest: Buffer;
  mediaType: string;
  /** `sha256:` of the manifest bytes. */
  digest: string;
  /** Blobs by digest (config and layers; identical payloads share one blob, as in a registry). */
  blobs: Map<string, Buffer>;
}

export interface SigManifest extends ManifestArtifact {
  config: Buffer;
  configDigest: string;
}

/**
 * The `.sig` image cosign pushes to tag `sha256-<hex>.sig`: one simple-signing layer per signature,
 * and go-containerregistry's image config (empty image + appended layers; 233 bytes for one layer,
 * as in a real cosign v3.0.4 `.sig`). OCI media types by default, Docker ones with `docker: true`
 * (COSIGN_DOCKER_MEDIA_TYPES=1).
 */
export function makeSigManifest(layers: SigLayer[], options: { docker?: boolean } = {}): SigManifest {
  const blobs = new Map<string, Buffer>();
  const layerDigests = layers.map((layer) => {
    const digest = sha256Digest(layer.payload);
    blobs.set(digest, layer.payload);
    return digest;
  });
  const config = Buffer.from(
    goJson({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layerDigests },
      config: {},
    }),
    'utf8',
  );
  const configDigest = sha256Digest(config);
  blobs.set(configDigest, config);
  const mediaType = options.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: options.docker ? DOCKER_CONFIG : OCI_CONFIG,
        size: config.length,
        digest: configDigest,
      },
      layers: layers.map((layer, i) => ({
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        size: layer.payload.length,
        digest: layerDigests[i],
        annotations: sortedKeys(layer.annotations),
      })),
    }),
    'utf8',
  );
  return { manifest, mediaType, digest: sha256Digest(manifest), config, configDigest, blobs };
}

/** The tag cosign stores legacy signatures under: `sha256-<hex>.sig`. */
export function sigTagFor(imageDigest: string): string {
  return `${imageDigest.replace(':', '-')}.sig`;
}
