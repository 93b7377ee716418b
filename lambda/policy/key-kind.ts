import type {
  AwsSignerPolicyKey,
  CosignPolicyKey,
  KmsPolicyKey,
  NotationPolicySigner,
  PemPolicyKey,
  PolicyKey,
} from './schema';

/**
 * What kind of entry of `keys` a compiled policy key is. Its own module (types only from the schema) so
 * code that runs in the Lambda or the CLI's verify does not load the policy schema library to ask.
 */
export function isKmsKey(key: PolicyKey): key is KmsPolicyKey {
  return 'kms' in key;
}

export function isPemKey(key: PolicyKey): key is PemPolicyKey {
  return 'publicKey' in key;
}

/** A Notation signer (AWS Signer profiles or generic Notation trust), not a cosign key. */
export function isNotationSigner(key: PolicyKey): key is NotationPolicySigner {
  return 'awsSigner' in key || 'notation' in key;
}

export function isAwsSignerKey(key: PolicyKey): key is AwsSignerPolicyKey {
  return 'awsSigner' in key;
}

export function isCosignKey(key: PolicyKey): key is CosignPolicyKey {
  return !isNotationSigner(key);
}
