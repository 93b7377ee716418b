import type { HashAlgorithm } from './types';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];

/** Cosign's rule for a key given as PEM: SHA-256 unless the user says otherwise. */
export const DEFAULT_PEM_HASH: HashAlgorithm = 'sha256';

export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
  return typeof value === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(value);
}
