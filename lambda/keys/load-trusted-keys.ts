import type { KmsKeyLoader } from './kms-key-loader';
import { parsePemKey } from './pem-key';
import type { KeySpec, TrustedKey } from './types';

/** Loads every key; the first failure (a KEY_UNAVAILABLE GuardError) rejects the whole set. */
export async function loadTrustedKeys(specs: KeySpec[], kms: KmsKeyLoader): Promise<TrustedKey[]> {
  return Promise.all(
    specs.map(async (spec) =>
      spec.kind === 'kms'
        ? kms.load({ name: spec.name, ref: spec.ref })
        : parsePemKey({
            name: spec.name,
            pem: spec.pem,
            source: spec.source,
            ...(spec.hashAlgorithm === undefined ? {} : { hashAlgorithm: spec.hashAlgorithm }),
          }),
    ),
  );
}
