/**
 * What a stop or an alert says about a task decision: the failing containers (deny or error), as the
 * task owner needs to see them, and whether every failure is on an unconfirmed digest (an alert that
 * is not the task's final word).
 */
import type { ExemptedContainer, FailingContainer, NoticeExemption, TaskNotice } from '../enforce/notice';
import type { ContainerExemption } from '../policy/evaluate';
import { exemptionLabel } from '../policy/exemptions';
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
      ...(c.decision.exemption?.status === ReasonCode.EXEMPTION_EXPIRED
        ? { expiredExemption: noticeExemption(c.decision.exemption) }
        : {}),
      ...(c.notation ? { notation: c.notation } : {}),
    }));
  const exempted: ExemptedContainer[] = containers
    .filter((c) => c.decision.exemption?.status === ReasonCode.EXEMPTED)
    .map((c) => ({
      name: c.name,
      image: c.image ?? '(no image reported)',
      digest: c.digest,
      message: c.decision.message,
      exemption: noticeExemption(c.decision.exemption as ContainerExemption),
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
    ...(exempted.length > 0 ? { exempted } : {}),
    ...(unconfirmed ? { unconfirmed: true } : {}),
  };
}

function noticeExemption(e: ContainerExemption): NoticeExemption {
  return { label: exemptionLabel(e.index, e), until: e.until, reason: e.reason };
}
