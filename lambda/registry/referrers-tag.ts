import { splitDigest } from '../reference/digest';

/**
 * The fallback tag of the distribution-spec "Referrers Tag Schema": `<alg>-<ref>`, the
 * algorithm truncated to 32 characters and the encoded part to 64, characters a tag may not
 * hold replaced by "-". For sha256 that is `sha256-<64 hex>` (cosign / go-containerregistry).
 */
export function referrersTagFor(digest: string): string {
  const { algorithm, encoded } = splitDigest(digest);
  const clean = (s: string): string => s.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `${clean(algorithm.slice(0, 32))}-${clean(encoded.slice(0, 64))}`;
}
