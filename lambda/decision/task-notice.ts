/**
 * What a stop or an alert says about a task decision: the failing containers (deny or error), as the
 * task owner needs to see them, and whether every failure is on an unconfirmed digest (an alert that
 * is not the task's final word).
 */
import type { FailingContainer, TaskNotice } from '../enforce/notice';
import type { TaskEvent } from '../events/task-event';
import { ReasonCode } from '../reasons';
import type { ContainerResult } from './record';

export function taskNotice(
  task: TaskEvent,
  decisionId: string,
  decision: { action: 'stop' | 'alert' | 'none'; mode: 'enforce' | 'audit' },
  containers: readonly ContainerResult[],
): TaskNotice {
  const failing: FailingContainer[] = containers
    .filter((c) => c.decision.outcome === 'deny' || c.decision.outcome === 'error')
    .map((c) => ({
      name: c.name,
      image: c.image ?? '(no image reported)',
      digest: c.digest,
      outcome: c.decision.outcome as 'deny' | 'error',
      reason: c.decision.reason,
      message: c.decision.message,
      rule: c.decision.rule,
      ...(c.decision.reason === ReasonCode.DIGEST_UNCONFIRMED ? { unconfirmed: true } : {}),
      ...(c.notation ? { notation: c.notation } : {}),
    }));
  const unconfirmed = failing.length > 0 && failing.every((f) => f.unconfirmed === true);
  return {
    decisionId,
    action: decision.action === 'stop' ? 'stop' : 'alert',
    mode: decision.mode,
    stopped: decision.action === 'stop',
    account: task.account,
    region: task.region,
    clusterArn: task.clusterArn,
    clusterName: task.clusterName,
    service: task.service,
    taskDefinition: `${task.taskDefinitionFamily}:${task.taskDefinitionRevision}`,
    taskArn: task.taskArn,
    failing,
    ...(unconfirmed ? { unconfirmed: true } : {}),
  };
}
