import { goJson, sortedKeys } from './go-json';

/**
 * The simple-signing payload exactly as cosign writes it (sigstore payload.SimpleContainerImage):
 * compact, critical → identity/image/type, then `optional` — the `-a` annotations, or `null`.
 */
export function makeSimpleSigningPayload(claims: {
  dockerReference: string;
  imageDigest: string;
  optional?: Record<string, string>;
}): Buffer {
  const payload = {
    critical: {
      identity: { 'docker-reference': claims.dockerReference },
      image: { 'docker-manifest-digest': claims.imageDigest },
      type: 'cosign container image signature',
    },
    optional: claims.optional === undefined ? null : sortedKeys(claims.optional),
  };
  return Buffer.from(goJson(payload), 'utf8');
}
