import { ReasonCode } from '../reasons';

/** One sentence per reason code, written for the person who owns the service. */
const EXPLANATIONS: Partial<Record<ReasonCode, string>> = {
  [ReasonCode.NO_SIGNATURES]: 'The image has no cosign signature at all.',
  [ReasonCode.SIGNATURE_INVALID]:
    'The image has signatures, but none verifies with a key this policy trusts.',
  [ReasonCode.DIGEST_MISMATCH]:
    'A signature by a trusted key exists, but it was made for a different image digest (copied or stale signature).',
  [ReasonCode.TLOG_INVALID]: 'The signature verifies, but its transparency-log (Rekor) entry does not.',
  [ReasonCode.TLOG_MISSING]:
    'The policy requires a transparency-log (Rekor) entry and the signature has none.',
  [ReasonCode.REQUIRED_KEYS_MISSING]:
    'The rule requires signatures by all of its keys and at least one is missing.',
  [ReasonCode.NO_MATCHING_RULE]:
    'No rule of the policy covers this image, and the policy denies unmatched images.',
  [ReasonCode.NO_DIGEST]: 'The image digest could not be determined, so nothing could be verified.',
  [ReasonCode.INVALID_REFERENCE]: 'The image reference is not valid.',
  [ReasonCode.REGISTRY_UNAVAILABLE]:
    'The registry could not be reached after retries; the image could not be checked.',
  [ReasonCode.REGISTRY_AUTH]: 'The registry refused access to the image or its signatures.',
  [ReasonCode.KEY_UNAVAILABLE]:
    'A trusted key could not be loaded (KMS or PEM), so the image could not be checked.',
  [ReasonCode.LIMIT_EXCEEDED]: 'The image has oversized or too many signature artifacts.',
  [ReasonCode.TIMEOUT]: 'Verification did not finish in time.',
  [ReasonCode.SIGNATURE_MALFORMED]: 'The signature artifacts found are malformed.',
  [ReasonCode.CONTENT_MISMATCH]: 'The registry returned content that does not match its digest.',
  [ReasonCode.REVOKED]:
    'The image is signed with AWS Signer, but AWS Signer reports the signing profile, its version or the signing job revoked.',
  [ReasonCode.REVOCATION_UNAVAILABLE]:
    'The image is signed with AWS Signer, but the guard could not ask AWS Signer whether the signature is revoked.',
};

export function explain(reason: ReasonCode): string {
  return EXPLANATIONS[reason] ?? `Verification failed with ${reason}.`;
}
