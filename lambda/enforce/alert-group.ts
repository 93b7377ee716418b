import { createHash } from 'node:crypto';
import type { ExemptedContainer, FailingContainer, TaskNotice } from './notice';

/**
 * Alert groups. ECS replaces a stopped service task at once (or with back-off before RUNNING), and
 * each replacement is a new task: without grouping, one unsigned service is one email per task.
 * A group is (cluster, service or task family, container, digest): the first failure of a group is
 * emailed at once, later tasks of the group within the window are counted, and the count is told
 * with the group's next email.
 */

/** Items of groups live in the ledger table next to task items, under this key prefix. */
export const GROUP_KEY_PREFIX = 'group#';

/** Default window: one email per group per hour. */
export const DEFAULT_ALERT_WINDOW_MS = 60 * 60_000;

export interface GroupMember {
  clusterArn: string;
  /** Service name for service tasks; otherwise the task definition family groups the tasks. */
  service?: string;
  taskDefinitionFamily: string;
  container: string;
  /** The digest that failed; absent when it could not be determined (then the image names it). */
  digest?: string;
  image: string;
  /** An "exemption used" alert: grouped apart from the failures of the same image. */
  exempted?: boolean;
}

/** The group's key: stable, fixed-length, and never equal to a task ARN (so it shares the table). */
export function alertGroupKey(member: GroupMember): string {
  const owner =
    member.service !== undefined ? `service:${member.service}` : `family:${member.taskDefinitionFamily}`;
  const what = member.digest !== undefined ? `digest:${member.digest}` : `image:${member.image}`;
  const id = JSON.stringify([
    member.clusterArn,
    owner,
    member.container,
    what,
    // Only exemption groups carry a fifth part, so every other group keeps its key.
    ...(member.exempted === true ? ['exempted'] : []),
  ]);
  return `${GROUP_KEY_PREFIX}${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

/** "prod/payments web sha256:abcd…", for the ledger item (a later sweep can say which group it is). */
export function alertGroupLabel(member: GroupMember): string {
  const cluster = member.clusterArn.slice(member.clusterArn.lastIndexOf('/') + 1);
  const owner = member.service ?? `family ${member.taskDefinitionFamily}`;
  return `${cluster}/${owner} container ${member.container} ${member.digest ?? member.image}`;
}

export function taskDefinitionFamily(taskDefinition: string): string {
  const colon = taskDefinition.lastIndexOf(':');
  return colon > 0 ? taskDefinition.slice(0, colon) : taskDefinition;
}

/** A failing (or exempted) container of a task as a member of its group. */
export function groupMemberOf(
  notice: TaskNotice,
  container: FailingContainer | ExemptedContainer,
): GroupMember {
  return {
    clusterArn: notice.clusterArn,
    service: notice.service,
    taskDefinitionFamily: taskDefinitionFamily(notice.taskDefinition),
    container: container.name,
    digest: container.digest,
    image: container.image,
    ...('exemption' in container ? { exempted: true } : {}),
  };
}

/**
 * The task's group is its first failing container's (by name, so every event of the task agrees); a
 * task with no failing container but an exempted one is in its first exempted container's group.
 */
export function noticeGroupMember(notice: TaskNotice): GroupMember | undefined {
  const members = notice.failing.length > 0 ? notice.failing : (notice.exempted ?? []);
  const first = [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  return first ? groupMemberOf(notice, first) : undefined;
}

/** What an alert reports, from least to most severe: a more severe one is emailed at once. */
export type AlertKind = 'exempted' | 'error' | 'would-stop' | 'stopped' | 'stop-failed';

export const ALERT_SEVERITY: Record<AlertKind, number> = {
  exempted: 0,
  error: 0,
  'would-stop': 1,
  stopped: 2,
  'stop-failed': 3,
};
