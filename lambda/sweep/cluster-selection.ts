/**
 * Which clusters a sweep lists, from the policy's scope (policy/scope.ts): clusters named exactly are
 * listed as they are (no ListClusters call, and none in the role); a pattern, or a policy that applies
 * to every cluster, needs ListClusters, filtered by the same globs the policy matches tasks with.
 */
import { compileGlob, isLiteralGlob } from '../policy/glob';
import type { PolicyScope } from '../policy/scope';

export type ClusterSelection =
  /** Cluster names or ARNs, called as they are. */
  | { kind: 'named'; clusters: string[] }
  /** ListClusters, then keep the clusters whose name or ARN `matches`. */
  | { kind: 'listed'; matches: (clusterArn: string) => boolean };

export function clusterSelection(
  scope: Pick<PolicyScope, 'allClusters' | 'clusterPatterns'>,
): ClusterSelection {
  if (scope.allClusters || scope.clusterPatterns.length === 0) return { kind: 'listed', matches: () => true };
  if (scope.clusterPatterns.every(isLiteralGlob))
    return { kind: 'named', clusters: [...scope.clusterPatterns] };
  const globs = scope.clusterPatterns.map(compileGlob);
  return {
    kind: 'listed',
    matches: (arn) => {
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      return globs.some((g) => g.matches(name) || g.matches(arn));
    },
  };
}

/** Whether the sweep's role needs ecs:ListClusters (read by the CDK construct). */
export function needsListClusters(scope: Pick<PolicyScope, 'allClusters' | 'clusterPatterns'>): boolean {
  return clusterSelection(scope).kind === 'listed';
}
