import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Policy } from '../lambda/policy/schema';
import { usesAwsSigner } from '../lambda/policy/notation-revocation';

/**
 * Why `signer:GetRevocationStatus` has `Resource: "*"`: the service authorization reference lists no
 * resource type (and no condition key) for it, so `*` is the only valid form. It is read-only: it
 * answers whether a signing profile, profile version, signing job or certificate is revoked.
 */
export const SIGNER_REVOCATION_WILDCARD_REASON =
  'signer:GetRevocationStatus has no resource-level permissions (the service authorization reference ' +
  'lists no resource type for it), so Resource "*" is the only valid form. It is read-only: it tells ' +
  'whether the signing profile, job or certificates of an AWS Signer signature the guard verified are revoked.';

/**
 * `signer:GetRevocationStatus`, only when a rule of the policy names an AWS Signer signer (the guard
 * checks the revocation of every AWS Signer signature it trusts); undefined otherwise, so a policy
 * without AWS Signer gets no Signer permission at all.
 */
export function signerRevocationStatement(
  policy: Pick<Policy, 'keys' | 'rules'>,
): PolicyStatement | undefined {
  if (!usesAwsSigner(policy)) return undefined;
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['signer:GetRevocationStatus'],
    resources: ['*'],
  });
}
