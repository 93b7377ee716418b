/**
 * Pushes small images to the local registry and signs them with the test signer, in either
 * format cosign writes: the legacy `sha256-<hex>.sig` tag, or a v3 Sigstore bundle stored as an
 * OCI referrer (listed in the `sha256-<hex>` referrers tag index unless a referrers API serves it).
 */
import { randomUUID } from 'node:crypto';
import {
  TestMediaType,
  pushBlob,
  pushManifest,
  pushReferrersTagIndex,
  type PushedManifest,
  type RegistryEndpoint,
} from '../test/support/registry';
import {
  OCI_EMPTY_CONFIG,
  OCI_EMPTY_CONFIG_DIGEST,
  makeBundle,
  makeBundleReferrerManifest,
  makeLegacySignature,
  makeSigManifest,
  sigTagFor,
  type ManifestArtifact,
  type TestKey,
} from '../test/support/signer';
import { mapLimit } from '../lambda/verify/map-limit';

export type SignatureFormat = 'legacy' | 'bundle' | 'unsigned';

export interface BenchImage {
  format: SignatureFormat;
  repo: string;
  tag: string;
  digest: string;
  /** `host:port/repo:tag`, as a task definition names it. */
  image: string;
  /** `host:port/repo@sha256:…`, pinned. */
  pinned: string;
}

export interface PushOptions {
  /** Skip the referrers tag index (the endpoint serves the referrers API itself). */
  referrersApi?: boolean;
}

/**
 * Blobs every bundle referrer shares (the empty `{}` config). distribution 2.8.2 can lose a blob
 * link when the same digest is uploaded concurrently, so shared blobs are pushed once, up front,
 * and everything else an image consists of is unique to it.
 */
const SHARED_BLOBS = new Set([OCI_EMPTY_CONFIG_DIGEST]);

async function pushArtifact(
  endpoint: RegistryEndpoint,
  repo: string,
  reference: string,
  artifact: ManifestArtifact,
): Promise<PushedManifest> {
  for (const [digest, blob] of artifact.blobs) {
    if (!SHARED_BLOBS.has(digest)) await pushBlob(endpoint, repo, blob);
  }
  return pushManifest(endpoint, repo, reference, artifact.manifest, artifact.mediaType);
}

/** A one-layer OCI image whose config and layer are unique to it (so no blob is pushed twice). */
async function pushUniqueImage(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
): Promise<PushedManifest> {
  const id = randomUUID();
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'bench.id': id } },
      rootfs: { type: 'layers' },
    }),
  );
  const config = await pushBlob(endpoint, repo, configBytes);
  const layer = await pushBlob(endpoint, repo, `layer ${id}`);
  const manifest = {
    schemaVersion: 2,
    mediaType: TestMediaType.OCI_MANIFEST,
    config: { mediaType: TestMediaType.OCI_CONFIG, ...config },
    layers: [{ mediaType: TestMediaType.OCI_LAYER, ...layer }],
  };
  return pushManifest(endpoint, repo, tag, JSON.stringify(manifest), TestMediaType.OCI_MANIFEST);
}

export async function pushBenchImage(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
  format: SignatureFormat,
  key: TestKey,
  options: PushOptions = {},
): Promise<BenchImage> {
  const manifest = await pushUniqueImage(endpoint, repo, tag);
  const image: BenchImage = {
    format,
    repo,
    tag,
    digest: manifest.digest,
    image: `${endpoint.host}/${repo}:${tag}`,
    pinned: `${endpoint.host}/${repo}@${manifest.digest}`,
  };
  if (format === 'legacy') {
    const layer = makeLegacySignature({
      imageDigest: manifest.digest,
      dockerReference: `${endpoint.host}/${repo}`,
      key,
    });
    await pushArtifact(endpoint, repo, sigTagFor(manifest.digest), makeSigManifest([layer]));
  } else if (format === 'bundle') {
    const bundle = makeBundle({ imageDigest: manifest.digest, key });
    const referrer = makeBundleReferrerManifest(bundle, manifest);
    const pushed = await pushArtifact(endpoint, repo, referrer.digest, referrer);
    if (!options.referrersApi) {
      await pushReferrersTagIndex(endpoint, repo, manifest.digest, [
        {
          mediaType: pushed.mediaType,
          digest: pushed.digest,
          size: pushed.size,
          artifactType: referrer.artifactType,
        },
      ]);
    }
  }
  return image;
}

/** `count` images of one format in `repo`, tagged `<prefix>-<i>`, pushed `concurrency` at a time. */
export async function pushBenchImages(
  endpoint: RegistryEndpoint,
  spec: { repo: string; prefix: string; format: SignatureFormat; count: number },
  key: TestKey,
  options: PushOptions & { concurrency?: number } = {},
): Promise<BenchImage[]> {
  if (spec.format === 'bundle') await pushBlob(endpoint, spec.repo, OCI_EMPTY_CONFIG);
  const indexes = Array.from({ length: spec.count }, (_, i) => i);
  return mapLimit(indexes, options.concurrency ?? 16, (i) =>
    pushBenchImage(endpoint, spec.repo, `${spec.prefix}-${i}`, spec.format, key, options),
  );
}

/** Alternates two lists (a0, b0, a1, b1, …), so both formats run side by side. */
export function interleave(a: readonly BenchImage[], b: readonly BenchImage[]): BenchImage[] {
  const out: BenchImage[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) out.push(a[i] as BenchImage);
    if (b[i]) out.push(b[i] as BenchImage);
  }
  return out;
}
