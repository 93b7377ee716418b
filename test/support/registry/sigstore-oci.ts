import { attachArtifactToImage } from '@sigstore/oci';
import type { RegistryEndpoint } from './start-registry';

/**
 * Attaches `artifact` to the image `imageDigest` with @sigstore/oci (sigstore-js), an
 * independent writer of the OCI 1.1 referrer layout: it pushes the artifact manifest with a
 * `subject` and, when the registry lacks the referrers API (distribution 2.8.2), maintains the
 * `sha256-<hex>` fallback index. Limits found: it speaks plain HTTP only to `localhost` /
 * `127.0.0.1` (https elsewhere, with no CA option), and it needs credentials — against an
 * unauthenticated registry its sign-in probe fails — so use an htpasswd registry over HTTP.
 */
export async function attachWithSigstoreOci(
  endpoint: RegistryEndpoint,
  repo: string,
  imageDigest: string,
  artifact: Buffer,
  mediaType: string,
  annotations: Record<string, string> = {},
): Promise<{ mediaType: string; digest: string; size: number }> {
  if (!endpoint.credentials)
    throw new Error('attachWithSigstoreOci needs a registry with credentials (htpasswd)');
  if (endpoint.url.startsWith('https:')) throw new Error('@sigstore/oci only speaks plain HTTP to 127.0.0.1');
  const descriptor = await attachArtifactToImage({
    imageName: `${endpoint.host}/${repo}`,
    imageDigest,
    artifact,
    mediaType,
    annotations,
    credentials: endpoint.credentials,
  });
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}
