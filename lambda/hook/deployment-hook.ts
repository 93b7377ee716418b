/**
 * The orchestrator of the deployment hook, deciding nothing itself:
 *   parse (payload.ts) → revision (service-revision.ts) → decide (evaluate-revision.ts)
 *   → answer (hook-answer.ts) → approve (approved-digests.ts) → alert (hook-alert.ts) → record (hook-record.ts)
 * One audit line per call. It never throws: ECS rolls a deployment back on a failed invocation, so
 * every case is answered on purpose — an unreadable payload or an unexpected failure is FAILED (an
 * error is never a pass), a stage other than PRE_SCALE_UP is SUCCEEDED and recorded as not applicable.
 */
import { randomUUID } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import type { RetryOptions } from '../aws/retry';
import { strictestMode } from '../decision/decide-container';
import type { ContainerResult } from '../decision/record';
import { toGuardError } from '../errors';
import type { TaskEvaluatorDeps } from '../guard/evaluate-task';
import type { AuditLogger, GuardMetrics } from '../guard/guard';
import { ReasonCode } from '../reasons';
import type { ApprovedDigest, ApprovedDigestStore } from './approved-digests';
import {
  approvedSourceOf,
  evaluateRevision,
  revisionTarget,
  rulesForRevision,
  type RevisionTarget,
} from './evaluate-revision';
import {
  ATTEMPTS_KEY,
  FIRST_ATTEMPT_KEY,
  hookAnswer,
  hookAnswerWithoutContainers,
  hookStateOf,
  type HookAnswer,
  type HookState,
  type HookStatus,
  type HookTiming,
} from './hook-answer';
import { publishRolloutAlert, type RolloutNotice } from './hook-alert';
import { buildHookRecord, type HookDecisionRecord, type HookRecordInput } from './hook-record';
import { parseHookPayload, type HookPayload } from './payload';
import { RevisionLookupError, type ServiceRevision, type ServiceRevisionReader } from './service-revision';

/** The only stage the guard decides at: before ECS launches the new revision's tasks. */
export const DECIDING_STAGE = 'PRE_SCALE_UP';

export interface HookResponse {
  hookStatus: HookStatus;
  callBackDelay?: number;
  hookDetails?: Record<string, unknown>;
}

export interface DeploymentHookDeps {
  evaluator: TaskEvaluatorDeps;
  revisions: ServiceRevisionReader;
  /** Where approvals are recorded for the event path; none: nothing recorded (the CLI). */
  approved?: ApprovedDigestStore;
  sns: Sender<SNSClient>;
  topicArn?: string;
  logger: AuditLogger;
  metrics: GuardMetrics;
  timing: HookTiming;
  verifyDeadlineMs: number;
  /** SNS retry tuning (tests). */
  retry?: Partial<RetryOptions>;
  now?: () => number;
  newId?: () => string;
}

export interface HookOutcome {
  response: HookResponse;
  record: HookDecisionRecord;
}

export class DeploymentHook {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: DeploymentHookDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
  }

  /** `deadlineMs`: the time left for this invocation, if shorter than the verify deadline. */
  async handle(event: unknown, options: { deadlineMs?: number } = {}): Promise<HookOutcome> {
    const started = this.now();
    const decisionId = this.newId();
    try {
      return await this.decide(event, decisionId, started, options.deadlineMs);
    } catch (e) {
      // A bug or an unforeseen failure: refused and recorded, never a pass and never a throw.
      const error = toGuardError(e);
      return this.finish(
        { status: 'FAILED', alert: false, because: `internal error: ${error.message}`, waitedOut: false },
        {
          decisionId,
          started,
          state: hookStateOf({}, started),
          containers: [],
          problem: { reason: error.code, message: error.message },
        },
      );
    } finally {
      this.deps.metrics.flush();
    }
  }

  private async decide(
    event: unknown,
    decisionId: string,
    started: number,
    deadlineMs?: number,
  ): Promise<HookOutcome> {
    const parsed = parseHookPayload(event);
    if (!parsed.ok) {
      this.deps.metrics.count('EventsInvalid');
      return this.finish(
        {
          status: 'FAILED',
          alert: false,
          because: 'the payload is not a lifecycle hook payload the guard can read',
          waitedOut: false,
        },
        {
          decisionId,
          started,
          state: hookStateOf({}, started),
          containers: [],
          problem: { reason: ReasonCode.EVENT_INVALID, message: parsed.message },
          ...(parsed.executionId ? { executionId: parsed.executionId } : {}),
          ...(parsed.serviceDeploymentArn ? { serviceDeploymentArn: parsed.serviceDeploymentArn } : {}),
        },
      );
    }
    const payload = parsed.payload;
    const state = hookStateOf(payload.hookDetails, started);
    const about = { decisionId, started, state, payload };
    if (payload.lifecycleStage !== DECIDING_STAGE) {
      this.deps.metrics.count('EventsIgnored');
      return this.finish(
        {
          status: 'SUCCEEDED',
          alert: false,
          because: `not applicable: the guard decides at ${DECIDING_STAGE} only`,
          waitedOut: false,
        },
        {
          ...about,
          containers: [],
          problem: {
            reason: ReasonCode.EVENT_NOT_APPLICABLE,
            message: `lifecycle stage ${payload.lifecycleStage} is not ${DECIDING_STAGE}: nothing decided, answered SUCCEEDED`,
          },
        },
      );
    }

    const budget = Math.min(this.deps.verifyDeadlineMs, deadlineMs ?? Number.POSITIVE_INFINITY);
    const signal = AbortSignal.timeout(Math.max(1, budget));
    let revision: ServiceRevision;
    try {
      revision = await this.deps.revisions.describe(payload.targetServiceRevisionArn, signal);
    } catch (e) {
      const error = toGuardError(e, ReasonCode.REVISION_UNAVAILABLE);
      const retryable = e instanceof RevisionLookupError ? e.retryable : error.retryable;
      const target = revisionTarget({
        arn: payload.targetServiceRevisionArn,
        serviceArn: payload.serviceArn,
        taskDefinitionArn: '',
      });
      const answer = hookAnswerWithoutContainers(
        retryable,
        this.onErrorStops(target),
        state,
        this.deps.timing,
      );
      if (answer.status !== 'IN_PROGRESS') this.deps.metrics.count('Errors');
      return this.finish(answer, {
        ...about,
        containers: [],
        problem: { reason: ReasonCode.REVISION_UNAVAILABLE, message: error.message },
        ...(target ? { target } : {}),
      });
    }

    const target = revisionTarget(revision);
    if (!target) {
      const answer = hookAnswerWithoutContainers(false, true, state, this.deps.timing);
      return this.finish(answer, {
        ...about,
        revision,
        containers: [],
        problem: {
          reason: ReasonCode.REVISION_UNAVAILABLE,
          message: `the revision names no readable service ARN (${revision.serviceArn})`,
        },
      });
    }
    const evaluation = await evaluateRevision(revision, target, this.deps.evaluator, signal);
    const answer = hookAnswer(
      evaluation.decision,
      evaluation.containers.map((c) => c.decision),
      state,
      this.deps.timing,
    );
    if (answer.status !== 'IN_PROGRESS') this.countContainers(evaluation.containers);
    return this.finish(answer, {
      ...about,
      revision,
      target,
      containers: evaluation.containers,
      mode: evaluation.decision.mode,
    });
  }

  /** Whether onError would refuse a revision none of whose images could be read (rules for any image). */
  private onErrorStops(target: RevisionTarget | undefined): boolean {
    const policy = this.deps.evaluator.policy;
    if (policy.onError !== 'stop') return false;
    if (!target) return true;
    const rules = rulesForRevision(this.deps.evaluator, target);
    return (
      strictestMode(
        rules.map((r) => r.mode),
        policy.mode,
      ) === 'enforce'
    );
  }

  private async finish(
    answer: HookAnswer,
    about: {
      decisionId: string;
      started: number;
      state: HookState;
      payload?: HookPayload;
      revision?: ServiceRevision;
      target?: RevisionTarget;
      containers: readonly ContainerResult[];
      mode?: 'enforce' | 'audit';
      problem?: { reason: ReasonCode; message: string };
      executionId?: string;
      serviceDeploymentArn?: string;
    },
  ): Promise<HookOutcome> {
    const { payload, revision, target } = about;
    const errors: string[] = [];
    const mode = about.mode ?? this.deps.evaluator.policy.mode;

    let approved: string[] | undefined;
    if (answer.status === 'SUCCEEDED' && revision && this.deps.approved && about.containers.length > 0) {
      const entries = approvedDigests(about.containers);
      if (entries.size > 0) {
        try {
          await this.deps.approved.write(revision.arn, entries, about.decisionId);
          approved = [...entries.keys()];
        } catch (e) {
          // The approval only lets the event path say a task's digest differs; each task is verified anyway.
          errors.push(`recording the approved digests failed: ${toGuardError(e).message}`);
        }
      }
    }

    let alert: HookRecordInput['alert'];
    if (answer.alert && answer.status !== 'IN_PROGRESS') {
      if (!this.deps.topicArn) alert = 'no-topic';
      else {
        const notice: RolloutNotice = {
          decisionId: about.decisionId,
          hookStatus: answer.status,
          mode,
          ...(target ? { cluster: target.clusterName, service: target.service } : {}),
          ...(payload
            ? {
                serviceRevisionArn: payload.targetServiceRevisionArn,
                serviceDeploymentArn: payload.serviceDeploymentArn,
              }
            : {}),
          ...(revision ? { taskDefinitionArn: revision.taskDefinitionArn } : {}),
          failing: about.containers.filter(
            (c) => c.decision.outcome === 'deny' || c.decision.outcome === 'error',
          ),
          ...(about.problem ? { problem: about.problem } : {}),
        };
        try {
          await publishRolloutAlert(this.deps.sns, this.deps.topicArn, notice, {
            deadline: this.now() + 10_000,
            ...this.deps.retry,
          });
          alert = 'sent';
        } catch (e) {
          alert = 'failed';
          errors.push(toGuardError(e).message);
        }
      }
    }

    const record = buildHookRecord({
      decisionId: about.decisionId,
      time: new Date(this.now()).toISOString(),
      mode,
      hookStatus: answer.status,
      hookReason: answer.because,
      alerted: alert === 'sent',
      ...(payload
        ? {
            lifecycleStage: payload.lifecycleStage,
            executionId: payload.executionId,
            serviceDeploymentArn: payload.serviceDeploymentArn,
            serviceRevisionArn: payload.targetServiceRevisionArn,
          }
        : {}),
      ...(about.executionId ? { executionId: about.executionId } : {}),
      ...(about.serviceDeploymentArn ? { serviceDeploymentArn: about.serviceDeploymentArn } : {}),
      ...(target ? { cluster: target.clusterName, service: target.service } : {}),
      ...(revision ? { taskDefinitionArn: revision.taskDefinitionArn } : {}),
      containers: about.containers,
      policySha256: this.deps.evaluator.policySha256,
      durationMs: this.now() - about.started,
      state: about.state,
      waitedOut: answer.waitedOut,
      ...(about.problem ? { problem: about.problem } : {}),
      ...(approved ? { approved } : {}),
      ...(alert ? { alert } : {}),
      ...(errors.length > 0 ? { actionError: errors.join('; ') } : {}),
    });
    if (errors.length > 0 || answer.status === 'FAILED') this.deps.logger.error('decision', record);
    else this.deps.logger.info('decision', record);
    return { response: responseOf(answer, about.state, this.deps.timing), record };
  }

  private countContainers(containers: readonly ContainerResult[]): void {
    const m = this.deps.metrics;
    for (const c of containers) {
      if (c.decision.outcome === 'allow') m.count('Verified');
      else if (c.decision.outcome === 'deny') m.count('Denied');
      else if (c.decision.outcome === 'skip') m.count('Skipped');
      else m.count('Errors');
      if (c.decision.outcome !== 'skip' && !c.cached) m.latency('VerificationLatency', c.durationMs);
    }
  }
}

/** Allowed containers with a digest: what the rollout was let through with. */
function approvedDigests(containers: readonly ContainerResult[]): Map<string, ApprovedDigest> {
  const out = new Map<string, ApprovedDigest>();
  for (const c of containers) {
    const source = approvedSourceOf(c.digestSource);
    if (c.decision.outcome === 'allow' && c.digest && source) out.set(c.name, { digest: c.digest, source });
  }
  return out;
}

function responseOf(answer: HookAnswer, state: HookState, timing: HookTiming): HookResponse {
  if (answer.status !== 'IN_PROGRESS') return { hookStatus: answer.status };
  return {
    hookStatus: 'IN_PROGRESS',
    callBackDelay: timing.callBackDelaySeconds,
    hookDetails: {
      [FIRST_ATTEMPT_KEY]: new Date(state.firstAttemptAt).toISOString(),
      [ATTEMPTS_KEY]: state.attempt,
    },
  };
}
