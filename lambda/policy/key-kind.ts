import type { KmsPolicyKey, PolicyKey } from './schema';

/**
 * Whether a compiled policy key is a KMS key. Its own module (types only from the schema) so code
 * that runs in the Lambda or the CLI's verify does not load the policy schema library to ask.
 */
export function isKmsKey(key: PolicyKey): key is KmsPolicyKey {
  return 'kms' in key;
}
