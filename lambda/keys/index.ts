export type { HashAlgorithm, KeySpec, TrustedKey } from './types';
export { DEFAULT_PEM_HASH, HASH_ALGORITHMS, isHashAlgorithm } from './hash-algorithm';
export { spkiDer, spkiFingerprint } from './fingerprint';
export { keyTypeLabel, unsupportedKeyReason } from './supported-key-type';
export { parsePemKey, type PemKeySpec } from './pem-key';
export { AWS_KMS_SCHEME, kmsRefFromPolicy, parseAwsKmsRef, type AwsKmsRef } from './kms-ref';
export { SUPPORTED_KMS_KEY_SPECS, kmsSigningScheme } from './kms-key-spec';
export { kmsErrorToGuardError } from './kms-error';
export {
  KmsKeyLoader,
  publicKeyFromResponse,
  type KmsClientFactory,
  type KmsKeyLoaderOptions,
} from './kms-key-loader';
export { createKmsClientFactory } from './kms-client-factory';
export { loadTrustedKeys } from './load-trusted-keys';
export { verifySignature } from './verify-signature';
