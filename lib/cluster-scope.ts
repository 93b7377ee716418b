/**
 * Turns the policy's cluster globs (names or ARNs) into the two places that narrow the guard to
 * them: the EventBridge `detail.clusterArn` filter and the `ecs:StopTask` resources/condition.
 *
 * Policy globs: `*` never crosses `/`, `**` does. Both become `*` here, which in IAM and in
 * EventBridge wildcards matches across `/`. That can only widen a pattern, never narrow it, and
 * cluster names cannot contain `/`, so the widened pattern matches the same clusters. The handler
 * still applies the policy's exact semantics; this is the outer fence.
 */

/** Where a bare cluster name lives: normally the stack's own partition/region/account tokens. */
export interface ArnContext {
  partition: string;
  region: string;
  account: string;
}

/** A cluster ARN whose parts may contain `*` (IAM / EventBridge wildcard syntax). */
export interface ClusterArnPattern extends ArnContext {
  name: string;
}

// Cluster names: up to 255 letters, numbers, underscores and hyphens; `*` and `?` are glob characters.
const NAME_GLOB = /^[A-Za-z0-9_*?-]+$/;
const ARN_GLOB = /^arn:([a-z*-]+):ecs:([a-z0-9*-]*):([0-9*]*):cluster\/([^/]+)$/;

/**
 * Parses one policy cluster glob into ARN parts, or returns undefined when the glob cannot be
 * expressed as one cluster ARN pattern (for example `**:cluster/prod`, which the policy allows:
 * a pattern matches a cluster when it matches its name or its ARN). The caller must then widen
 * to every cluster, never narrow.
 */
export function parseClusterPattern(pattern: string, here: ArnContext): ClusterArnPattern | undefined {
  const arn = ARN_GLOB.exec(pattern);
  const parts = arn
    ? { partition: arn[1]!, region: arn[2] || '*', account: arn[3] || '*', name: arn[4]! }
    : { ...here, name: pattern };
  if (!NAME_GLOB.test(parts.name)) return undefined;
  return {
    partition: toWildcard(parts.partition),
    region: toWildcard(parts.region),
    account: toWildcard(parts.account),
    name: toWildcard(parts.name),
  };
}

/** Every cluster in this partition/region/account. */
export function allClusters(here: ArnContext): ClusterArnPattern {
  return { ...here, name: '*' };
}

/** `arn:P:ecs:R:A:cluster/NAME`, for the `ecs:cluster` condition and the event filter. */
export function clusterArn(p: ClusterArnPattern): string {
  return `arn:${p.partition}:ecs:${p.region}:${p.account}:cluster/${p.name}`;
}

/** `arn:P:ecs:R:A:task/NAME/*`: every task of the matching clusters (long task ARN format). */
export function taskArnPattern(p: ClusterArnPattern): string {
  return `arn:${p.partition}:ecs:${p.region}:${p.account}:task/${p.name}/*`;
}

/**
 * Values for the rule's `detail.clusterArn`: plain strings for exact ARNs, `{wildcard}` otherwise.
 * EventBridge wildcards have no single-character form, so `?` widens to `*`.
 */
export function eventClusterFilter(patterns: ClusterArnPattern[]): Array<string | { wildcard: string }> {
  const values = new Map<string, string | { wildcard: string }>();
  for (const p of patterns) {
    const arn = clusterArn(p).replace(/\?/g, '*');
    values.set(arn, arn.includes('*') ? { wildcard: arn } : arn);
  }
  return [...values.values()];
}

function toWildcard(glob: string): string {
  return glob.replace(/\*\*/g, '*');
}

/** `arn:P:ecs:R:A:service/NAME/*`: every service of the matching clusters (long service ARN format). */
export function serviceArnPattern(p: ClusterArnPattern): string {
  return `arn:${p.partition}:ecs:${p.region}:${p.account}:service/${p.name}/*`;
}

/** `arn:P:ecs:R:A:service-revision/NAME/SERVICE/ID` with SERVICE and ID wildcards: every revision. */
export function serviceRevisionArnPattern(p: ClusterArnPattern): string {
  return `arn:${p.partition}:ecs:${p.region}:${p.account}:service-revision/${p.name}/*/*`;
}
