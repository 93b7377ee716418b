/** A policy key in the form lambda/keys loads it (KeySpec, for loadTrustedKey). */
import { kmsRefFromPolicy } from '../keys/kms-ref';
import type { KeySpec } from '../keys/types';
import { isKmsKey } from './key-kind';
import type { PolicyKey } from './schema';

/** The spec of one policy key: a KMS key as its cosign `awskms://` URI, a PEM key with its hash. */
export function keySpecOf(key: PolicyKey): KeySpec {
  return isKmsKey(key)
    ? { name: key.name, kind: 'kms', ref: kmsRefFromPolicy(key.kms) }
    : {
        name: key.name,
        kind: 'pem',
        pem: key.publicKey,
        source: `policy key "${key.name}"`,
        hashAlgorithm: key.hashAlgorithm,
      };
}
