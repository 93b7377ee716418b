import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  clusterArn,
  serviceArnPattern,
  serviceRevisionArnPattern,
  taskArnPattern,
  type ClusterArnPattern,
} from './cluster-scope';
import { unique } from './guard-permissions';

/**
 * Read-only ECS calls the verifier makes to establish a container's digest when the event does not
 * carry it, and to tell task-definition containers from AWS-injected ones. Scoped to the clusters the
 * policy applies to (the same scope as the EventBridge filter: the guard only reads what it was sent).
 *
 * - `ecs:DescribeTasks`: resource type `task` (`task/CLUSTER/ID`), condition key `ecs:cluster`; the
 *   condition repeats the cluster so a short-format task ARN (`task/ID`) can never match.
 * - `ecs:DescribeServiceRevisions`: requires BOTH the `service` and the `service-revision` resource
 *   (service authorization reference), `service/CLUSTER/NAME` and `service-revision/CLUSTER/NAME/ID`.
 * - `ecs:ListServiceDeployments`: resource type `service`; lists a service's recent deployments, whose
 *   target revisions tie a task (by its task definition) to the revision ECS pinned digests in.
 */
export function ecsReadStatements(clusters: readonly ClusterArnPattern[]): PolicyStatement[] {
  return [
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ecs:DescribeTasks'],
      resources: unique(clusters.map(taskArnPattern)),
      conditions: { ArnLike: { 'ecs:cluster': unique(clusters.map(clusterArn)) } },
    }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ecs:DescribeServiceRevisions'],
      resources: unique([...clusters.map(serviceArnPattern), ...clusters.map(serviceRevisionArnPattern)]),
    }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ecs:ListServiceDeployments'],
      resources: unique(clusters.map(serviceArnPattern)),
    }),
  ];
}

/**
 * `ecs:DescribeTaskDefinition` has no resource-level permissions (the service authorization reference
 * lists no resource type for it), so `Resource: "*"` is the only form IAM accepts. It is read-only.
 */
export function describeTaskDefinitionStatement(): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ecs:DescribeTaskDefinition'],
    resources: ['*'],
  });
}
