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
 * - `needsEcr`: false only when every rule names images and every image pattern is for a fixed registry
 *   host that is not private ECR; a rule without images, or a pattern whose host has a wildcard,
 *   may meet a private ECR image, which needs ecr:GetAuthorizationToken.
 */
import { isLiteralGlob } from './glob';
import { parseKmsKeyRef } from '../keys/kms-ref';
import { isKmsKey, type Policy } from './schema';

export interface PolicyScope {
  allClusters: boolean;
  clusterPatterns: string[];
  canStop: boolean;
  kmsKeys: string[];
  needsEcr: boolean;
}

/** Private ECR hosts: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn], dual-stack ACCOUNT.dkr-ecr.REGION.on.aws. */
const AWS_HOST = /(?:^|\.)(?:amazonaws\.com(?:\.cn)?|on\.aws)$/;

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
    (r) => r.match.images === undefined || r.match.images.some((p) => mayBePrivateEcr(p)),
  );
  return { allClusters, clusterPatterns, canStop, kmsKeys, needsEcr };
}

function bareKmsRef(kms: string): string {
  return parseKmsKeyRef(kms)?.value ?? kms;
}

/** A pattern may name a private ECR image unless its registry host is literal and not an ECR host. */
function mayBePrivateEcr(pattern: string): boolean {
  const slash = pattern.indexOf('/');
  if (slash < 0) return true;
  const host = pattern.slice(0, slash).replace(/:\d+$/, '');
  if (!isLiteralGlob(host)) return true;
  return AWS_HOST.test(host.toLowerCase());
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
