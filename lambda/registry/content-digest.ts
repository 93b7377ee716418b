import { createHash } from 'node:crypto';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { digestProblem, splitDigest, type DigestAlgorithm } from '../reference/digest';

/** `<algorithm>:<hex>` of `bytes`. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws INVALID_REFERENCE unless `digest` is a well-formed digest of a supported algorithm. */
export function assertDigest(digest: string, what: string): void {
  const problem = digestProblem(digest);
  if (problem)
    throw new GuardError(
      ReasonCode.INVALID_REFERENCE,
      `${what} "${digest}" is not a valid digest: ${problem}`,
    );
}

/** Throws CONTENT_MISMATCH unless `bytes` hash to `expected` (hashed with `expected`'s algorithm). */
export function verifyContentDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = digestOf(bytes, splitDigest(expected).algorithm);
  if (actual !== expected) {
    throw new GuardError(
      ReasonCode.CONTENT_MISMATCH,
      `${what}: the registry sent content with digest ${actual}, expected ${expected}`,
    );
  }
}
