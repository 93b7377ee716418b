import { randomUUID } from 'node:crypto';
import type { RekorKey } from '../cosign/types';
import { buildDecisionRecord, buildIgnoredRecord, type ContainerResult } from '../decision/record';
import type { AlertRecord, DecisionRecord, IgnoredRecord } from '../decision/types';
import { alertGroupKey, groupMemberOf } from '../enforce/alert-group';
import type { EnforcementResult, EnforcerDeps, GroupOutcome } from '../enforce/enforcer';
import { EnforcementError, enforce } from '../enforce/enforcer';
import { taskNotice } from '../decision/task-notice';
import { toGuardError } from '../errors';
import { parseTaskStateChange, type TaskEvent } from '../events';
import { LruCache } from '../cache/lru-cache';
import type { Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';
import type { TaskLookups } from '../ecs/task-lookups';
import type { ImageVerifier } from '../verify/image-verifier';
import type { DecisionMemory } from '../sweep/decision-memory';
import { finalDecisionOf } from '../sweep/final-decision';
import { evaluateTask } from './evaluate-task';
import type { KeyRing } from './key-ring';

/** Where the guard writes its audit lines (in the Lambda: JSON lines on stdout, see audit-log.ts). */
export interface AuditLogger {
  info(message: string, fields: object): void;
  error(message: string, fields: object): void;
}

/** Counters and latencies (Powertools Metrics → CloudWatch embedded metric format). */
export interface GuardMetrics {
  count(name: GuardMetricName, value?: number): void;
  latency(name: 'VerificationLatency', ms: number): void;
  flush(): void;
}

/**
 * `EventsInvalid`: events that cannot be parsed (EVENT_INVALID), never mixed with `EventsIgnored`
 * (not applicable, duplicates). `Errors`: containers whose outcome is error (or a failed action).
 */
export type GuardMetricName =
  | 'Verified'
  /** Containers allowed by a policy exemption (EXEMPTED), never counted as Verified. */
  | 'Exempted'
  | 'Denied'
  | 'Skipped'
  | 'Errors'
  | 'TasksStopped'
  | 'TasksAlerted'
  | 'EventsIgnored'
  | 'EventsInvalid'
  // The sweep's (sweep.ts): tasks it decided, stops deferred past its budget, clusters it could not list.
  | 'SweepTasksDecided'
  | 'SweepStopsDeferred'
  | 'SweepClusterFailures';

export interface GuardDeps {
  policy: Policy;
  policySha256: string;
  verifier: ImageVerifier;
  keyRing: KeyRing;
  rekorKeys: RekorKey[];
  lookups: TaskLookups;
  enforcer: EnforcerDeps;
  logger: AuditLogger;
  metrics: GuardMetrics;
  verifyDeadlineMs: number;
  /** Where a final decision is remembered, so the sweep does not decide the task again. */
  memory?: DecisionMemory;
  now?: () => number;
  newId?: () => string;
}

export type GuardOutcome =
  { kind: 'decision'; record: DecisionRecord } | { kind: 'ignored'; record: IgnoredRecord };

/**
 * The orchestrator of the event's route, deciding nothing itself:
 *   parse (events/) → digests, match, verify, decide (evaluate-task.ts) → act (enforce/) → record
 *   (decision/record).
 * Turns one EventBridge event into exactly one audit line: a decision (after any stop/alert) or an
 * `ignored` record. A failure to act is logged and rethrown, so Lambda retries the event and, after
 * its retries, sends it to the dead-letter destination: nothing is dropped silently.
 */
export class Guard {
  /** Tasks decided by this process: containers (and digests) with a final outcome; errors are retried. */
  private readonly decided = new LruCache<Set<string>>(20_000);
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: GuardDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
  }

  /** `deadlineMs`: the time left for this invocation (below the function's timeout), if shorter. */
  async handle(event: unknown, options: { deadlineMs?: number } = {}): Promise<GuardOutcome> {
    try {
      return await this.handleOnce(event, options.deadlineMs);
    } finally {
      this.deps.metrics.flush();
    }
  }

  private async handleOnce(event: unknown, deadlineMs: number | undefined): Promise<GuardOutcome> {
    const started = this.now();
    // The invocation's end, on the enforcer's clock: stop and alert give up (for a retry) before it.
    const enforceBy =
      deadlineMs === undefined ? undefined : (this.deps.enforcer.now ?? Date.now)() + deadlineMs;
    const parsed = parseTaskStateChange(event);
    if (parsed.kind === 'ignored') {
      return this.ignore(parsed.reason, parsed.message, parsed.eventId, parsed.taskArn);
    }
    const task = parsed.task;
    if (this.alreadyDecided(task)) {
      return this.ignore(
        ReasonCode.ALREADY_DECIDED,
        `task already decided by this guard (event version ${task.version}, ${task.lastStatus})`,
        task.eventId,
        task.taskArn,
      );
    }

    const decisionId = this.newId();
    const signal = AbortSignal.timeout(
      Math.max(1, Math.min(this.deps.verifyDeadlineMs, deadlineMs ?? Number.POSITIVE_INFINITY)),
    );
    const evaluation = await evaluateTask(task, this.deps, signal);
    const base = {
      decisionId,
      time: new Date(this.now()).toISOString(),
      task,
      decision: evaluation.decision,
      containers: evaluation.containers,
      policySha256: this.deps.policySha256,
    };

    let enforcement: EnforcementResult = { action: 'none' };
    let alertGroups: Map<string, string> | undefined;
    if (evaluation.decision.action !== 'none') {
      const notice = taskNotice(task, decisionId, evaluation.decision, evaluation.containers);
      alertGroups = new Map(
        [...notice.failing, ...(notice.exempted ?? [])].map((c) => [
          c.name,
          alertGroupKey(groupMemberOf(notice, c)),
        ]),
      );
      try {
        enforcement = await enforce(notice, this.deps.enforcer, enforceBy);
      } catch (e) {
        const error = toGuardError(e);
        // What happened before the failure (a stop, then a failed alert) is still what was done.
        const done = e instanceof EnforcementError ? e.done.action : 'none';
        const record = buildDecisionRecord({
          ...base,
          durationMs: this.now() - started,
          action: done,
          actionError: error.message,
          alertGroups,
        });
        this.deps.logger.error('decision', record);
        this.deps.metrics.count('Errors');
        if (done === 'stopped') this.deps.metrics.count('TasksStopped');
        throw error;
      }
    }
    const record = buildDecisionRecord({
      ...base,
      durationMs: this.now() - started,
      action: enforcement.action,
      alertGroups,
      ...(enforcement.group ? { alert: alertRecord(enforcement.group) } : {}),
    });
    this.deps.logger.info('decision', record);
    this.countDecision(evaluation.containers, enforcement);
    this.remember(task, evaluation.containers);
    await this.rememberFinal(task.taskArn, evaluation, alertGroups);
    return { kind: 'decision', record };
  }

  private ignore(reason: ReasonCode, message: string, eventId?: string, taskArn?: string): GuardOutcome {
    const record = buildIgnoredRecord({
      time: new Date(this.now()).toISOString(),
      eventId,
      taskArn,
      reason,
      message,
    });
    this.deps.logger.info('ignored', record);
    this.deps.metrics.count(reason === ReasonCode.EVENT_INVALID ? 'EventsInvalid' : 'EventsIgnored');
    return { kind: 'ignored', record };
  }

  /**
   * A duplicate or later event adds nothing unless it reports a digest not decided on yet, or names a
   * container whose verification could not complete last time (an error is never a final answer).
   */
  private alreadyDecided(task: TaskEvent): boolean {
    const decided = this.decided.get(task.taskArn);
    if (!decided) return false;
    return task.containers.every((c) =>
      decided.has(c.imageDigest ? decidedDigestKey(c.name, c.imageDigest) : decidedNameKey(c.name)),
    );
  }

  private remember(task: TaskEvent, containers: readonly ContainerResult[]): void {
    const decided = this.decided.get(task.taskArn) ?? new Set<string>();
    for (const c of containers) {
      // Errors are retried; a decision on a digest the guard resolved itself is never final.
      if (c.decision.outcome === 'error' || c.digestSource === 'resolved') continue;
      decided.add(decidedNameKey(c.name));
      if (c.digest) decided.add(decidedDigestKey(c.name, c.digest));
    }
    this.decided.set(task.taskArn, decided, 6 * 3600_000);
  }

  /**
   * A lost write only means the sweep decides the task once more (from the verdict cache): it is logged,
   * never a reason to fail an event that was decided and acted on.
   */
  private async rememberFinal(
    taskArn: string,
    evaluation: Awaited<ReturnType<typeof evaluateTask>>,
    alertGroups: ReadonlyMap<string, string> | undefined,
  ): Promise<void> {
    if (!this.deps.memory) return;
    const final = finalDecisionOf({
      taskArn,
      policySha256: this.deps.policySha256,
      decidedAt: this.now(),
      decision: evaluation.decision,
      containers: evaluation.containers,
      ...(alertGroups ? { alertGroups } : {}),
    });
    if (!final) return;
    await this.deps.memory.write(final).catch((e: unknown) => {
      this.deps.logger.error('memory', { taskArn, message: `final decision not remembered: ${String(e)}` });
    });
  }

  private countDecision(containers: readonly ContainerResult[], enforcement: EnforcementResult): void {
    const m = this.deps.metrics;
    for (const c of containers) {
      if (c.decision.reason === ReasonCode.EXEMPTED) m.count('Exempted');
      else if (c.decision.outcome === 'allow') m.count('Verified');
      else if (c.decision.outcome === 'deny') m.count('Denied');
      else if (c.decision.outcome === 'skip') m.count('Skipped');
      else m.count('Errors');
      if (c.decision.outcome !== 'skip' && !c.cached) m.latency('VerificationLatency', c.durationMs);
    }
    if (enforcement.action === 'stopped') m.count('TasksStopped');
    if (enforcement.alert === 'sent') m.count('TasksAlerted');
  }
}

function alertRecord(group: GroupOutcome): AlertRecord {
  return {
    group: group.key,
    status: group.alert,
    ...(group.count !== undefined ? { count: group.count } : {}),
    ...(group.since !== undefined ? { since: group.since } : {}),
  };
}

function decidedNameKey(container: string): string {
  return `name|${container}`;
}

function decidedDigestKey(container: string, digest: string): string {
  return `digest|${container}|${digest}`;
}
