import { Effect, Policy as IamPolicy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Policy } from '../lambda/policy/schema';
import { usesAwsSigner } from '../lambda/policy/notation-revocation';
import { acknowledgeWildcardResources } from './guard-nag';

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

/**
 * Gives `role` signer:GetRevocationStatus when the policy uses AWS Signer, in a policy of its own
 * (`SignerRevocationPolicy` under `scope`) so that its unavoidable `Resource: "*"` is acknowledged
 * there and nowhere else. Every function that verifies (events, hook, sweep) gets it the same way.
 */
export function grantSignerRevocation(
  scope: Construct,
  role: IRole,
  policy: Pick<Policy, 'keys' | 'rules'>,
): void {
  const revocation = signerRevocationStatement(policy);
  if (revocation === undefined) return;
  const signerPolicy = new IamPolicy(scope, 'SignerRevocationPolicy', { statements: [revocation] });
  signerPolicy.attachToRole(role);
  acknowledgeWildcardResources(signerPolicy, revocation, SIGNER_REVOCATION_WILDCARD_REASON);
}
