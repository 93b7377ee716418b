/** Builds the audit records. Pure: ids, times and durations are passed in. */
import type { TaskEvent } from '../events/task-event';
import type { ContainerDecision } from '../policy/evaluate';
import type { ReasonCode } from '../reasons';
import { recordedAction, type TaskDecision } from './decide-task';
import type {
  AlertRecord,
  ContainerRecord,
  DecisionAction,
  DecisionRecord,
  DecisionTrigger,
  DigestSource,
  IgnoredRecord,
  SweepDecisionFacts,
} from './types';

/** Messages are the only free text in a record; they are capped so a log line stays bounded. */
export const MAX_MESSAGE_CHARS = 1024;

export interface ContainerResult {
  name: string;
  image?: string;
  digest?: string;
  digestSource?: DigestSource;
  decision: ContainerDecision;
  signaturesFound: number;
  cached: boolean;
  durationMs: number;
}

export interface DecisionRecordInput {
  /** Default `event`. */
  trigger?: DecisionTrigger;
  decisionId: string;
  /** ISO 8601 time of the decision. */
  time: string;
  task: Pick<
    TaskEvent,
    'clusterName' | 'service' | 'taskArn' | 'taskDefinitionArn' | 'lastStatus' | 'eventId'
  >;
  decision: TaskDecision;
  containers: readonly ContainerResult[];
  policySha256: string;
  durationMs: number;
  /** What was actually done, when it differs from the decision (a stop that failed and became an alert). */
  action?: DecisionAction;
  actionError?: string;
  /** Container name → alert group key, for the denied and failed containers. */
  alertGroups?: ReadonlyMap<string, string>;
  alert?: AlertRecord;
  sweep?: SweepDecisionFacts;
}

export function buildDecisionRecord(input: DecisionRecordInput): DecisionRecord {
  const record: DecisionRecord = {
    type: 'image-guard.decision',
    trigger: input.trigger ?? 'event',
    decisionId: input.decisionId,
    time: input.time,
    mode: input.decision.mode,
    action: input.action ?? recordedAction(input.decision.action),
    cluster: input.task.clusterName,
    service: input.task.service ?? null,
    taskArn: input.task.taskArn,
    taskDefinitionArn: input.task.taskDefinitionArn,
    lastStatus: input.task.lastStatus,
    eventId: input.task.eventId,
    containers: input.containers.map((c) => containerRecord(c, input.alertGroups?.get(c.name))),
    policySha256: input.policySha256,
    durationMs: duration(input.durationMs),
    alert: input.alert ?? null,
  };
  if (input.actionError !== undefined) record.actionError = cap(input.actionError);
  if (input.sweep !== undefined) record.sweep = { ...input.sweep };
  return record;
}

export function buildIgnoredRecord(input: {
  time: string;
  eventId?: string;
  taskArn?: string;
  reason: ReasonCode;
  message: string;
}): IgnoredRecord {
  return {
    type: 'image-guard.ignored',
    time: input.time,
    ...(input.eventId !== undefined ? { eventId: input.eventId } : {}),
    ...(input.taskArn !== undefined ? { taskArn: input.taskArn } : {}),
    reason: input.reason,
    message: cap(input.message),
  };
}

function containerRecord(c: ContainerResult, alertGroup: string | undefined): ContainerRecord {
  return {
    name: c.name,
    image: c.image ?? null,
    digest: c.digest ?? null,
    digestSource: c.digest !== undefined ? (c.digestSource ?? null) : null,
    outcome: c.decision.outcome,
    reason: c.decision.reason,
    rule: c.decision.rule ?? null,
    keys: [...c.decision.keys],
    signaturesFound: Math.max(0, Math.trunc(c.signaturesFound)),
    cached: c.cached,
    durationMs: duration(c.durationMs),
    message: cap(c.decision.message),
    alertGroup: alertGroup ?? null,
  };
}

function duration(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}

function cap(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}
