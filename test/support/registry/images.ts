import { randomUUID } from 'node:crypto';
import { pushBlob, pushManifest, sha256Digest, type PushedManifest } from './push';
import type { RegistryEndpoint } from './start-registry';

/** Media types used by the builders (OCI image-spec, Docker Image Manifest V2). */
export const TestMediaType = {
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_EMPTY: 'application/vnd.oci.empty.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  SIGSTORE_BUNDLE: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

/** The 2-byte `{}` blob cosign uses as config of artifact manifests. */
export const EMPTY_JSON = Buffer.from('{}');

export interface DescriptorJson {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export function descriptorOf(pushed: PushedManifest): DescriptorJson {
  return { mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size };
}

export interface PushImageOptions {
  /** `oci` (default) or `docker` media types. */
  format?: 'oci' | 'docker';
  /** Layer content; default unique random bytes (so every image has its own digest). */
  layer?: Buffer | string;
  annotations?: Record<string, string>;
}

/**
 * Pushes a small single-layer image (config blob, layer blob, manifest) under `tag`, or by
 * digest when `tag` is undefined. Returns the manifest as pushed.
 */
export async function pushImage(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string | undefined,
  options: PushImageOptions = {},
): Promise<PushedManifest> {
  const docker = options.format === 'docker';
  const configBytes = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
  );
  const config = await pushBlob(endpoint, repo, configBytes);
  const layer = await pushBlob(endpoint, repo, options.layer ?? `layer ${randomUUID()}`);
  const mediaType = docker ? TestMediaType.DOCKER_MANIFEST : TestMediaType.OCI_MANIFEST;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? TestMediaType.DOCKER_CONFIG : TestMediaType.OCI_CONFIG, ...config },
    layers: [{ mediaType: docker ? TestMediaType.DOCKER_LAYER : TestMediaType.OCI_LAYER, ...layer }],
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return pushManifest(endpoint, repo, tag ?? sha256Digest(bytes), bytes, mediaType);
}

/** Pushes an image index (OCI or Docker manifest list) over already pushed manifests. */
export async function pushIndex(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
  manifests: PushedManifest[],
  format: 'oci' | 'docker' = 'oci',
): Promise<PushedManifest> {
  const mediaType = format === 'docker' ? TestMediaType.DOCKER_MANIFEST_LIST : TestMediaType.OCI_INDEX;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: manifests.map((m) => ({
      ...descriptorOf(m),
      platform: { architecture: 'amd64', os: 'linux' },
    })),
  };
  return pushManifest(endpoint, repo, tag, JSON.stringify(index), mediaType);
}

export interface PushReferrerOptions {
  /** Manifest `artifactType` (and layer media type unless `layerMediaType`). Default the Sigstore bundle type. */
  artifactType?: string;
  layerMediaType?: string;
  /** Layer content. Default a unique JSON document. */
  payload?: Buffer | string;
  annotations?: Record<string, string>;
}

/**
 * Pushes an OCI 1.1 artifact manifest whose `subject` is `subject`, by digest (no tag) — the
 * layout cosign v3 writes: empty `{}` config (`application/vnd.oci.empty.v1+json`), one layer.
 * It does not touch the fallback tag (see `pushReferrersTagIndex`).
 */
export async function pushReferrer(
  endpoint: RegistryEndpoint,
  repo: string,
  subject: PushedManifest,
  options: PushReferrerOptions = {},
): Promise<PushedManifest> {
  const artifactType = options.artifactType ?? TestMediaType.SIGSTORE_BUNDLE;
  const config = await pushBlob(endpoint, repo, EMPTY_JSON);
  const layer = await pushBlob(endpoint, repo, options.payload ?? JSON.stringify({ test: randomUUID() }));
  const manifest = {
    schemaVersion: 2,
    mediaType: TestMediaType.OCI_MANIFEST,
    artifactType,
    config: { mediaType: TestMediaType.OCI_EMPTY, ...config },
    layers: [{ mediaType: options.layerMediaType ?? artifactType, ...layer }],
    subject: descriptorOf(subject),
    annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', ...options.annotations },
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return pushManifest(endpoint, repo, sha256Digest(bytes), bytes, TestMediaType.OCI_MANIFEST);
}

/**
 * Writes the referrers fallback index at tag `sha256-<hex>` of `subjectDigest`
 * (distribution-spec "Referrers Tag Schema"), listing `referrers` with their artifactType.
 */
export async function pushReferrersTagIndex(
  endpoint: RegistryEndpoint,
  repo: string,
  subjectDigest: string,
  referrers: DescriptorJson[],
): Promise<PushedManifest> {
  const index = { schemaVersion: 2, mediaType: TestMediaType.OCI_INDEX, manifests: referrers };
  return pushManifest(
    endpoint,
    repo,
    subjectDigest.replace(':', '-'),
    JSON.stringify(index),
    TestMediaType.OCI_INDEX,
  );
}
