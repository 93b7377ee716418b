import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Policy } from '../lambda/policy/schema';
import {
  allClusters,
  clusterArn,
  parseClusterPattern,
  taskArnPattern,
  type ArnContext,
  type ClusterArnPattern,
} from './cluster-scope';
import { ecrRepositoryArns } from './ecr-scope';
import type { PolicyScope } from './guard-policy';

/**
 * The clusters the guard acts on, as ARN patterns: the policy's cluster globs, or every cluster of
 * this account and region when the policy can act anywhere (or a glob cannot be narrowed safely).
 */
export function clusterScope(
  scope: Pick<PolicyScope, 'allClusters' | 'clusterPatterns'>,
  here: ArnContext,
): { all: boolean; clusters: ClusterArnPattern[] } {
  if (scope.allClusters || scope.clusterPatterns.length === 0)
    return { all: true, clusters: [allClusters(here)] };
  const clusters: ClusterArnPattern[] = [];
  for (const pattern of scope.clusterPatterns) {
    const parsed = parseClusterPattern(pattern, here);
    if (parsed === undefined) return { all: true, clusters: [allClusters(here)] };
    clusters.push(parsed);
  }
  return { all: false, clusters };
}

/**
 * The clusters where the policy can ever STOP a task, which may be fewer than those it applies to
 * (the EventBridge filter): a stop needs a deny or an error in enforce mode (decideTask). With the
 * top-level mode `audit`, only rules in enforce mode can produce one, so only their clusters count
 * (an enforce rule without `clusters` means every cluster). With top-level `enforce`, anything the
 * policy applies to can be stopped (for example `noMatch: deny` in any cluster).
 * Undefined when nothing can ever be stopped (policyScope.canStop is false).
 */
export function stopScope(
  policy: Policy,
  scope: PolicyScope,
): Pick<PolicyScope, 'allClusters' | 'clusterPatterns'> | undefined {
  if (!scope.canStop) return undefined;
  if (policy.mode === 'enforce')
    return { allClusters: scope.allClusters, clusterPatterns: scope.clusterPatterns };
  const enforcing = policy.rules.filter((r) => r.mode === 'enforce');
  if (enforcing.some((r) => r.match.clusters === undefined))
    return { allClusters: true, clusterPatterns: [] };
  const patterns = [...new Set(enforcing.flatMap((r) => r.match.clusters ?? []))].sort();
  return { allClusters: patterns.length === 0, clusterPatterns: patterns };
}

/**
 * `ecs:StopTask` on the tasks of the clusters in scope. The task ARN (`task/CLUSTER/ID`) already
 * names the cluster; the `ecs:cluster` condition says it again, so a task ARN in the old short format
 * (`task/ID`, no cluster) can never match.
 */
export function stopTaskStatement(clusters: readonly ClusterArnPattern[]): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ecs:StopTask'],
    resources: unique(clusters.map(taskArnPattern)),
    conditions: { ArnLike: { 'ecs:cluster': unique(clusters.map(clusterArn)) } },
  });
}

/**
 * Reading image manifests, signature blobs and referrers from ECR through the registry API:
 * - `ecr:BatchGetImage`: manifest GETs (by tag or digest) and the referrers listing (ECR documents
 *   ListImageReferrers as requiring `ecr:BatchGetImage`);
 * - `ecr:GetDownloadUrlForLayer`: blob GETs (the signature payload / bundle layers).
 * Nothing else: no push actions, no DescribeImages/ListImages (the verifier reads by digest and by
 * the referrers API, never by listing tags), no BatchCheckLayerAvailability (a push-path call).
 */
export function ecrReadStatement(policy: Policy, partition: string): PolicyStatement | undefined {
  const repositories = new Set<string>();
  for (const rule of policy.rules) {
    for (const arn of ecrRepositoryArns(rule.match.images, partition)) repositories.add(arn);
  }
  if (repositories.size === 0) return undefined;
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    resources: [...repositories],
  });
}

/**
 * `ecr:GetAuthorizationToken` has no resource-level permissions (the service authorization reference
 * lists no resource type for it), so `Resource: "*"` is the only valid form. The token it returns
 * carries only this role's own ECR permissions (the repository statement above).
 */
export function ecrAuthStatement(): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ecr:GetAuthorizationToken'],
    resources: ['*'],
  });
}

/** Each ARN once, in first-seen order. */
export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
