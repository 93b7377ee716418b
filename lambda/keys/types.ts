import type { KeyObject } from 'node:crypto';

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** A public key the user trusts, ready to verify signatures. */
export interface TrustedKey {
  /** Policy key name, or for the CLI the `--key` argument as given. */
  name: string;
  /** Where it came from, for messages: `awskms:///alias/x`, a file path, `inline`. */
  source: string;
  publicKey: KeyObject;
  /** Digest used for signatures by this key (cosign's rule: KMS key spec, else PEM default sha256). */
  hashAlgorithm: HashAlgorithm;
  /** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo; identifies the key in caches and bundles. */
  fingerprint: string;
}

/** A key as the policy or CLI names it, before it is loaded. */
export type KeySpec =
  | { name: string; kind: 'kms'; ref: string }
  | { name: string; kind: 'pem'; pem: string; source: string; hashAlgorithm?: HashAlgorithm };
