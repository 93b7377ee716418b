/**
 * What the deployed Lambda needs, derived from the policy (docs/design.md "Rules the code keeps"). The CDK stack
 * turns this into IAM; the policy is compiled into the stack, so a policy change is a redeploy and the
 * grants follow it.
 *
 * - `allClusters` / `clusterPatterns`: the clusters the policy APPLIES to, whatever the mode. It is
 *   every cluster when some rule has no `clusters` (it matches tasks anywhere) or when `noMatch` is
 *   `deny` (an image that no rule matches is then denied in any cluster). Otherwise it is the union of
 *   the rules' cluster patterns. With `noMatch: allow` and only cluster-scoped rules, tasks elsewhere
 *   are always allowed, so nothing there can be stopped.
 *   Patterns are policy globs and may be names (`prod-*`) or ARNs (`arn:aws:ecs:…:cluster/prod-*`);
 *   an IAM wildcard `*` for each `*` / `**` gives an equal-or-broader IAM pattern.
 * - `canStop`: false when no decision can ever be "stop": every rule in audit mode, and neither a
 *   `noMatch: deny` in top-level enforce mode nor `onError: stop` with an enforce rule. The stack may then
 *   omit ecs:StopTask altogether. Audit mode never stops, not even on errors (decideTask).
 * - `kmsKeys`: the KMS references (awskms:// prefix removed) of keys that some rule uses; a key that no
 *   rule names is never used to verify. Forms: key ARN, alias ARN, `alias/NAME`, key id
 *   (parseKmsKeyRef tells them apart; an alias or key id needs the stack's account and region).
 * - `needsEcr`: false only when every rule names images and no image pattern can name a private ECR
 *   image (ecr-images.ts, from the host table the runtime's ECR credentials use); a rule without images,
 *   or a pattern that may name an ECR image, needs ecr:GetAuthorizationToken.
 */
import { ecrImageScope } from './ecr-images';
import { parseKmsKeyRef } from '../keys/kms-ref';
import { isKmsKey } from './key-kind';
import type { Policy } from './schema';

export interface PolicyScope {
  allClusters: boolean;
  clusterPatterns: string[];
  canStop: boolean;
  kmsKeys: string[];
  needsEcr: boolean;
}

export function policyScope(policy: Policy): PolicyScope {
  const allClusters = policy.noMatch === 'deny' || policy.rules.some((r) => r.match.clusters === undefined);
  const clusterPatterns = allClusters
    ? []
    : sortedUnique(policy.rules.flatMap((r) => r.match.clusters ?? []));

  const enforcingRule = policy.rules.some((r) => r.mode === 'enforce');
  const canStop = enforcingRule || (policy.noMatch === 'deny' && policy.mode === 'enforce');

  const used = new Set(policy.rules.flatMap((r) => r.keys));
  const kmsKeys = sortedUnique(
    policy.keys.filter((k) => used.has(k.name)).flatMap((k) => (isKmsKey(k) ? [bareKmsRef(k.kms)] : [])),
  );

  const needsEcr = policy.rules.some(
    (r) => r.match.images === undefined || r.match.images.some((p) => ecrImageScope(p).kind !== 'none'),
  );
  return { allClusters, clusterPatterns, canStop, kmsKeys, needsEcr };
}

function bareKmsRef(kms: string): string {
  return parseKmsKeyRef(kms)?.value ?? kms;
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
