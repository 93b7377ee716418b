/** A policy key in the form lambda/keys loads it (KeySpec, for loadTrustedKey). */
import { GuardError } from '../errors';
import { kmsRefFromPolicy } from '../keys/kms-ref';
import type { KeySpec } from '../keys/types';
import { ReasonCode } from '../reasons';
import { isKmsKey, isNotationSigner } from './key-kind';
import type { PolicyKey } from './schema';

/**
 * The spec of one cosign policy key: a KMS key as its cosign `awskms://` URI, a PEM key with its hash.
 * A Notation signer is not a cosign key (KeyRing resolves it to a NotationVerifier instead).
 */
export function keySpecOf(key: PolicyKey): KeySpec {
  if (isNotationSigner(key)) {
    throw new GuardError(
      ReasonCode.KEY_UNAVAILABLE,
      `policy key "${key.name}" is a Notation signer, not a cosign key`,
    );
  }
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
