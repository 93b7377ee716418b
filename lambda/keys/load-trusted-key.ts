import type { KmsKeyLoader } from './kms-key-loader';
import { parsePemKey } from './pem-key';
import type { KeySpec, TrustedKey } from './types';

/**
 * Loads one trusted key, PEM or KMS: the one path from a key spec to a key, for the Lambda's key ring
 * (policy/key-specs.ts makes the spec of a policy key) and the CLI's `--key`. Every failure, a bad PEM
 * included, is a rejected promise with a KEY_UNAVAILABLE GuardError, never a synchronous throw.
 */
export async function loadTrustedKey(spec: KeySpec, kms: KmsKeyLoader): Promise<TrustedKey> {
  if (spec.kind === 'kms') return kms.load({ name: spec.name, ref: spec.ref });
  return parsePemKey({
    name: spec.name,
    pem: spec.pem,
    source: spec.source,
    ...(spec.hashAlgorithm === undefined ? {} : { hashAlgorithm: spec.hashAlgorithm }),
  });
}
