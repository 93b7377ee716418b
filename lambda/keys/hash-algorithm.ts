import type { HashAlgorithm } from './types';

/** The one list of digest algorithms a PEM key may be used with (policy schema, CLI `--hash`, runtime). */
export const HASH_ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const satisfies readonly HashAlgorithm[];

/** Cosign's rule for a key given as PEM: SHA-256 unless the user says otherwise. */
export const DEFAULT_PEM_HASH: HashAlgorithm = 'sha256';

export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
  return typeof value === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(value);
}
