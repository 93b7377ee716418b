/**
 * The one place the guard's AWS Signer revocation checker and its cache time come from, for the
 * Lambda entries, `image-guard check` and `image-guard verify`: made only when AWS Signer is used.
 */
import { VerdictCache } from '../cache/verdict-cache';
import type { RevocationChecker } from '../notation/types';
import { revocationCacheMinutes, usesAwsSigner } from '../policy/notation-revocation';
import type { Policy } from '../policy/schema';
import { AwsSignerRevocationChecker } from './revocation-checker';
import { signerClient } from './signer-client';

/** How long a revocation answer (and a verdict resting on one) is reused; `0` minutes asks every time. */
export function revocationTtlMs(policy: Pick<Policy, 'revocation'>): number {
  return Math.max(1, revocationCacheMinutes(policy) * 60_000);
}

/** The verdict cache of a long-lived entry (Lambda): a verdict resting on AWS Signer lives no longer than its revocation answer. */
export function verdictCacheFor(policy: Pick<Policy, 'revocation'>): VerdictCache {
  return new VerdictCache({ revocationTtlMs: revocationTtlMs(policy) });
}

/** AWS Signer's GetRevocationStatus in the caller's region, with answers cached `ttlMs`. */
export function awsSignerRevocation(options: { region?: string; ttlMs: number }): RevocationChecker {
  return new AwsSignerRevocationChecker({
    client: signerClient(options.region),
    ttlMs: options.ttlMs,
  });
}

/** The checker a policy needs: one when a rule names an AWS Signer signer, else none. */
export function revocationForPolicy(policy: Policy, region?: string): RevocationChecker | undefined {
  return usesAwsSigner(policy) ? awsSignerRevocation({ region, ttlMs: revocationTtlMs(policy) }) : undefined;
}
