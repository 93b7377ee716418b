/** Signed images pushed to a real registry, and the verifier's inputs, for the verify suites. */
import { parsePemKey } from '../../lambda/keys/pem-key';
import type { TrustedKey } from '../../lambda/keys/types';
import type { ImageReference } from '../../lambda/reference/types';
import type { TlogMode } from '../../lambda/cosign/types';
import type { VerifyOptions } from '../../lambda/verify/types';
import {
  pushArtifact,
  pushImage,
  pushReferrersTagIndex,
  type PushedManifest,
  type RegistryEndpoint,
} from '../support/registry';
import {
  makeBundle,
  makeBundleReferrerManifest,
  makeLegacySignature,
  makeSigManifest,
  sigTagFor,
  type LegacySignatureOptions,
  type TestKey,
} from '../support/signer';

export function trustedKeyOf(key: TestKey, name = 'team'): TrustedKey {
  return parsePemKey({ name, pem: key.publicKeyPem, source: `test key ${name}` });
}

export function optionsFor(keys: TrustedKey[], mode: TlogMode = 'verify-if-present'): VerifyOptions {
  return { keys, tlog: { mode, rekorKeys: [] } };
}

export function refOf(endpoint: RegistryEndpoint, repository: string, digest: string): ImageReference {
  return { registry: endpoint.host, repository, digest } as ImageReference;
}

/** An image with one legacy `.sig` signature by `key` (a transparency-log entry only with `extra.rekor`). */
export async function pushLegacySigned(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
  key: TestKey,
  extra: Pick<LegacySignatureOptions, 'rekor'> = {},
): Promise<PushedManifest> {
  const image = await pushImage(endpoint, repo, tag);
  const layer = makeLegacySignature({
    imageDigest: image.digest,
    dockerReference: `${endpoint.host}/${repo}`,
    key,
    ...extra,
  });
  await pushArtifact(endpoint, repo, sigTagFor(image.digest), makeSigManifest([layer]));
  return image;
}

/** An image with one cosign v3 bundle, listed in the `sha256-<hex>` referrers tag index. */
export async function pushBundleSigned(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
  key: TestKey,
): Promise<PushedManifest> {
  const image = await pushImage(endpoint, repo, tag);
  const referrer = makeBundleReferrerManifest(makeBundle({ imageDigest: image.digest, key }), {
    mediaType: image.mediaType,
    digest: image.digest,
    size: image.size,
  });
  const pushed = await pushArtifact(endpoint, repo, referrer.digest, referrer);
  await pushReferrersTagIndex(endpoint, repo, image.digest, [
    {
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      artifactType: referrer.artifactType,
    },
  ]);
  return image;
}
