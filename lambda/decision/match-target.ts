/** What the policy matches a container of a task on. */
import type { TaskEvent } from '../events/task-event';
import type { MatchTarget } from '../policy/evaluate';

/**
 * `image` must be the normalised reference carrying the digest that will be verified (the event's
 * `imageDigest`, else the resolved one), so digest-pinned patterns see the digest that actually runs.
 */
export function matchTargetOf(task: TaskEvent, image: string): MatchTarget {
  return {
    image,
    clusterArn: task.clusterArn,
    clusterName: task.clusterName,
    taskDefinitionFamily: task.taskDefinitionFamily,
    ...(task.service !== undefined ? { service: task.service } : {}),
  };
}
