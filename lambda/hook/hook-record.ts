/**
 * The audit record of one hook call: the decision record's shape (docs/decision-record.md, the same
 * `type` so every decision is found by one query) with `trigger: "deployment-hook"`, the task fields
 * a revision has not (`taskArn`, `lastStatus`, `eventId`) null, and what only the hook has: the
 * answer given to ECS, the deployment and revision, and the hook's place in its IN_PROGRESS rounds.
 */
import { capRecordText, containerRecord, type ContainerResult } from '../decision/record';
import type { ContainerRecord } from '../decision/types';
import type { Mode } from '../policy/schema';
import type { ReasonCode } from '../reasons';
import type { HookState, HookStatus } from './hook-answer';

/** `refused`: the hook answered FAILED (ECS rolls back); `alerted`: SUCCEEDED with an alert. */
export type HookAction = 'refused' | 'alerted' | 'none';

export interface HookDecisionRecord {
  type: 'image-guard.decision';
  trigger: 'deployment-hook';
  decisionId: string;
  time: string;
  mode: Mode;
  action: HookAction;
  /** What was answered to ECS. */
  hookStatus: HookStatus;
  /** Why, in words. */
  hookReason: string;
  lifecycleStage: string | null;
  executionId: string | null;
  serviceDeploymentArn: string | null;
  serviceRevisionArn: string | null;
  cluster: string | null;
  service: string | null;
  taskDefinitionArn: string | null;
  taskArn: null;
  lastStatus: null;
  eventId: null;
  containers: ContainerRecord[];
  policySha256: string;
  durationMs: number;
  /** This call's number in the hook execution, its first call's time, and the time since. */
  attempt: number;
  firstAttemptAt: string;
  elapsedMs: number;
  /** True when the hook timeout's bound ran out on a transient error and onError decided. */
  waitedOut: boolean;
  /** A failure before any container was decided (payload, stage, revision), with its reason code. */
  problem: { reason: ReasonCode; message: string } | null;
  /** Containers whose digests were recorded as approved for the revision (null: none recorded). */
  approved: string[] | null;
  alert: { status: 'sent' | 'failed' | 'no-topic' } | null;
  /** A side effect that failed (the alert, the approval record); the answer stands. */
  actionError?: string;
}

export interface HookRecordInput {
  decisionId: string;
  time: string;
  mode: Mode;
  hookStatus: HookStatus;
  hookReason: string;
  alerted: boolean;
  lifecycleStage?: string;
  executionId?: string;
  serviceDeploymentArn?: string;
  serviceRevisionArn?: string;
  cluster?: string;
  service?: string;
  taskDefinitionArn?: string;
  containers: readonly ContainerResult[];
  policySha256: string;
  durationMs: number;
  state: HookState;
  waitedOut: boolean;
  problem?: { reason: ReasonCode; message: string };
  approved?: string[];
  alert?: 'sent' | 'failed' | 'no-topic';
  actionError?: string;
}

export function buildHookRecord(input: HookRecordInput): HookDecisionRecord {
  const record: HookDecisionRecord = {
    type: 'image-guard.decision',
    trigger: 'deployment-hook',
    decisionId: input.decisionId,
    time: input.time,
    mode: input.mode,
    action: input.hookStatus === 'FAILED' ? 'refused' : input.alerted ? 'alerted' : 'none',
    hookStatus: input.hookStatus,
    hookReason: capRecordText(input.hookReason),
    lifecycleStage: input.lifecycleStage ?? null,
    executionId: input.executionId ?? null,
    serviceDeploymentArn: input.serviceDeploymentArn ?? null,
    serviceRevisionArn: input.serviceRevisionArn ?? null,
    cluster: input.cluster ?? null,
    service: input.service ?? null,
    taskDefinitionArn: input.taskDefinitionArn ?? null,
    taskArn: null,
    lastStatus: null,
    eventId: null,
    containers: input.containers.map((c) => containerRecord(c, undefined)),
    policySha256: input.policySha256,
    durationMs: Math.max(0, Math.round(input.durationMs)),
    attempt: input.state.attempt,
    firstAttemptAt: new Date(input.state.firstAttemptAt).toISOString(),
    elapsedMs: Math.max(0, Math.round(input.state.elapsedMs)),
    waitedOut: input.waitedOut,
    problem: input.problem
      ? { reason: input.problem.reason, message: capRecordText(input.problem.message) }
      : null,
    approved: input.approved ?? null,
    alert: input.alert ? { status: input.alert } : null,
  };
  if (input.actionError !== undefined) record.actionError = capRecordText(input.actionError);
  return record;
}
