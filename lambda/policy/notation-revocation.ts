import { isAwsSignerKey } from './key-kind';
import type { Policy } from './schema';

/**
 * How long an AWS Signer revocation answer is reused. Its own module (types only from the schema), so
 * the Lambda can read the setting without loading the policy schema library.
 */
export const DEFAULT_REVOCATION_CACHE_MINUTES = 15;

/** The policy's `revocation.cacheMinutes`, else the default. */
export function revocationCacheMinutes(policy: Pick<Policy, 'revocation'>): number {
  return policy.revocation?.cacheMinutes ?? DEFAULT_REVOCATION_CACHE_MINUTES;
}

/** Whether some rule names an AWS Signer signer: then the guard calls signer:GetRevocationStatus. */
export function usesAwsSigner(policy: Pick<Policy, 'keys' | 'rules'>): boolean {
  const used = new Set(policy.rules.flatMap((r) => r.keys));
  return policy.keys.some((k) => used.has(k.name) && isAwsSignerKey(k));
}
