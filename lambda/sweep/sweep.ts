/**
 * The sweep: a scheduled run that decides the running tasks of the clusters in scope again, on the
 * event path's engine (evaluateTask), enforcer and records. A task is decided when it has no final
 * decision under the current policy hash, or its final decision is older than the re-check age, or it
 * now reports another digest than the one decided; every other task costs no verification at all.
 *
 *   clusters (cluster-selection) → ListTasks pages → DescribeTasks (≤ 100) → memory (BatchGetItem)
 *   → decide (evaluate-task) → stop within the budget / alert once (enforce/) → record → remember
 *   → one summary alert for stops beyond the budget → report closed alert-group windows → run record
 *
 * A failure on one cluster is recorded and the others are still swept; the run stops listing when its
 * time runs short and records what it left for the next run.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { Sender } from '../aws/lazy-client';
import { describeAwsError } from '../aws/aws-error';
import { buildDecisionRecord, type ContainerResult } from '../decision/record';
import { taskNotice } from '../decision/task-notice';
import type { DecisionRecord, SweepDecisionFacts } from '../decision/types';
import { alertGroupKey, groupMemberOf } from '../enforce/alert-group';
import { EnforcementError, enforce, type EnforcerDeps, type EnforcementResult } from '../enforce/enforcer';
import type { FailingContainer, TaskNotice } from '../enforce/notice';
import { toGuardError } from '../errors';
import type { TaskEvent } from '../events';
import { evaluateTask, type TaskEvaluation, type TaskEvaluatorDeps } from '../guard/evaluate-task';
import type { AuditLogger, GuardMetrics } from '../guard/guard';
import { policyScope } from '../policy/scope';
import { sweepSettings } from '../policy/sweep-settings';
import { mapLimit } from '../verify/map-limit';
import { clusterSelection } from './cluster-selection';
import type { DecisionMemory } from './decision-memory';
import { DESCRIBE_TASKS_BATCH, EcsFleet, type EcsCallName } from './ecs-fleet';
import { decisionFingerprint, finalDecisionOf, type FinalDecision } from './final-decision';
import {
  budgetSummaryMessage,
  closedWindowsMessage,
  publishSweepMessage,
  type ClosedWindow,
  type DeferredStop,
} from './sweep-alerts';
import { taskFromEcs } from './task-from-ecs';
import { TokenBucket } from './token-bucket';
import { untrustedText } from '../text/untrusted-text';

/**
 * ECS's "cluster resource read" bucket (ListTasks, DescribeTasks) is 100 burst / 20 per s per account
 * and region, shared with ECS itself and the event path: the sweep takes a quarter of it.
 */
export const DEFAULT_ECS_RATE = { ratePerSecond: 5, burst: 10 } as const;
/** PENDING/ACTIVATING tasks younger than this are the event path's (it is deciding them now). */
export const DEFAULT_SETTLE_MS = 5 * 60_000;
/** Alert groups whose closed windows one run reports, at most. */
const MAX_GROUPS_FLUSHED = 500;

export interface SweepDeps {
  evaluator: TaskEvaluatorDeps;
  enforcer: EnforcerDeps;
  memory: DecisionMemory;
  ecs: Sender<ECSClient>;
  logger: AuditLogger;
  metrics: GuardMetrics;
  /** Budget for deciding one task (as the event path's verify deadline). */
  verifyDeadlineMs: number;
  /** ECS calls go through this bucket; default DEFAULT_ECS_RATE. */
  bucket?: TokenBucket;
  /** Tasks decided at once. Default 8. */
  concurrency?: number;
  settleMs?: number;
  now?: () => number;
  newId?: () => string;
}

export interface SweepRunOptions {
  /** Time this run may take (below the function's timeout). */
  deadlineMs?: number;
}

/** The run record: one JSON log line per run (message `sweep`). */
/** The ledger item that makes runs exclusive (leased like a stop claim: the function's timeout + 30 s). */
export const RUN_LEASE_KEY = 'sweep#run';

export interface SweepRunRecord {
  type: 'image-guard.sweep';
  runId: string;
  time: string;
  policySha256: string;
  stopBudget: number;
  clusters: number;
  clusterFailures: { cluster: string; message: string }[];
  /** Task ARNs ListTasks returned (desired status RUNNING). */
  listed: number;
  /** Tasks DescribeTasks could not describe (stopped in between), by reason. */
  describeFailures: number;
  /** PENDING/ACTIVATING tasks left to the event path (younger than the settle time). */
  starting: number;
  /** Tasks skipped: a final decision under this policy, recent enough, same digests. */
  current: number;
  decided: number;
  /** Decisions that are not final (errors, unconfirmed digests): decided again next run. */
  notFinal: number;
  stopped: number;
  alerted: number;
  /** Tasks the policy would stop beyond the budget: alerted in one summary, not stopped. */
  deferredStops: number;
  summaryAlert: 'sent' | 'duplicate' | 'no-topic' | 'failed' | 'none';
  /** Alert groups whose closed window was reported. */
  windowsReported: number;
  windowsAlert: 'sent' | 'no-topic' | 'failed' | 'none';
  errors: number;
  /** The run ran short of time: what it did not reach is left for the next run. */
  incomplete: boolean;
  leftForNextRun: { clusters: string[]; tasks: number };
  calls: Record<EcsCallName, number> & { memoryReads: number };
  throttleWaits: number;
  durationMs: number;
  /** Set when the run did nothing because another run (a manual invoke during a scheduled one) held the run lease. */
  skipped?: string;
}

interface Candidate {
  task: TaskEvent;
  why: SweepDecisionFacts['why'];
  previous?: FinalDecision;
}

/** A task decided with something to act on. */
interface Decided {
  task: TaskEvent;
  decisionId: string;
  evaluation: TaskEvaluation;
  alertGroups: Map<string, string>;
  candidate: Candidate;
  started: number;
  notice: TaskNotice;
  facts: SweepDecisionFacts;
  fingerprint: string;
}

/** One run's mutable state. */
class Run {
  stopsLeft: number;
  readonly deferred: Decided[] = [];
  readonly groups = new Set<string>();
  constructor(
    readonly record: SweepRunRecord,
    readonly deadline: number,
  ) {
    this.stopsLeft = record.stopBudget;
  }
}

export class Sweep {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly recheckAfterMs: number;
  private readonly stopBudget: number;

  constructor(private readonly deps: SweepDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
    const settings = sweepSettings(deps.evaluator.policy);
    this.recheckAfterMs = settings.recheckAfterMs;
    this.stopBudget = settings.maxStopsPerRun;
  }

  async run(options: SweepRunOptions = {}): Promise<SweepRunRecord> {
    const started = this.now();
    const runId = this.newId();
    const bucket = this.deps.bucket ?? new TokenBucket({ ...DEFAULT_ECS_RATE, now: this.now });
    const fleet = new EcsFleet(this.deps.ecs, bucket);
    const record: SweepRunRecord = {
      type: 'image-guard.sweep',
      runId,
      time: new Date(started).toISOString(),
      policySha256: this.deps.evaluator.policySha256,
      stopBudget: this.stopBudget,
      clusters: 0,
      clusterFailures: [],
      listed: 0,
      describeFailures: 0,
      starting: 0,
      current: 0,
      decided: 0,
      notFinal: 0,
      stopped: 0,
      alerted: 0,
      deferredStops: 0,
      summaryAlert: 'none',
      windowsReported: 0,
      windowsAlert: 'none',
      errors: 0,
      incomplete: false,
      leftForNextRun: { clusters: [], tasks: 0 },
      calls: { ListClusters: 0, ListTasks: 0, DescribeTasks: 0, memoryReads: 0 },
      throttleWaits: 0,
      durationMs: 0,
    };
    // One run at a time across instances: two overlapping runs would each spend a full stop budget.
    const lease = await this.deps.enforcer.ledger.claim(RUN_LEASE_KEY, 'stop', runId);
    if (lease.status === 'held') {
      record.skipped = `another sweep run (${untrustedText(lease.by, 80)}) holds the run lease until ${new Date(lease.leaseUntil).toISOString()}`;
      this.deps.logger.info('sweep', record);
      return record;
    }
    const run = new Run(record, started + (options.deadlineMs ?? 5 * 60_000));
    // Listing stops when less than this is left: in-flight decisions, alerts and the record need it.
    const reserveMs = this.deps.verifyDeadlineMs + 10_000;
    const signal = AbortSignal.timeout(Math.max(1, run.deadline - started));
    try {
      let clusters: string[] = [];
      try {
        clusters = await fleet.clusters(clusterSelection(policyScope(this.deps.evaluator.policy)), signal);
      } catch (e) {
        this.clusterFailed(record, '(ListClusters)', e);
      }
      record.clusters = clusters.length;
      for (const [index, cluster] of clusters.entries()) {
        if (this.timeLeft(run) < reserveMs) {
          record.incomplete = true;
          record.leftForNextRun.clusters = clusters.slice(index);
          break;
        }
        try {
          await this.sweepCluster(run, fleet, cluster, reserveMs, signal);
        } catch (e) {
          this.clusterFailed(record, cluster, e);
        }
        if (record.incomplete) {
          record.leftForNextRun.clusters = clusters.slice(index + 1);
          break;
        }
      }
      await this.stopDeferredWithinBudget(run);
      await this.alertDeferred(run);
      await this.reportClosedWindows(run);
    } finally {
      // Given back for the next run (a run that dies leaves it to expire with the ledger's lease).
      await this.deps.enforcer.ledger.release(RUN_LEASE_KEY, 'stop', runId).catch(() => undefined);
      record.calls = { ...record.calls, ...fleet.calls };
      record.throttleWaits = bucket.waits;
      record.durationMs = Math.max(0, this.now() - started);
      this.deps.logger.info('sweep', record);
      this.deps.metrics.flush();
    }
    return record;
  }

  private async sweepCluster(
    run: Run,
    fleet: EcsFleet,
    cluster: string,
    reserveMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { record } = run;
    for await (const page of fleet.runningTaskArns(cluster, signal)) {
      record.listed += page.length;
      if (this.timeLeft(run) < reserveMs) {
        record.incomplete = true;
        record.leftForNextRun.tasks += page.length;
        return;
      }
      for (let i = 0; i < page.length; i += DESCRIBE_TASKS_BATCH) {
        const batch = page.slice(i, i + DESCRIBE_TASKS_BATCH);
        const described = await fleet.describe(cluster, batch, signal);
        record.describeFailures += described.failures.length;
        const candidates = await this.select(run, described.tasks);
        await mapLimit(candidates, this.deps.concurrency ?? 8, (c) => this.decideIsolated(run, c));
      }
    }
  }

  /** The described tasks that need a decision now (others are counted as current or starting). */
  private async select(run: Run, tasks: readonly Task[]): Promise<Candidate[]> {
    const { record } = run;
    const now = this.now();
    const parsed: TaskEvent[] = [];
    for (const task of tasks) {
      if (task.desiredStatus !== 'RUNNING') continue;
      const starting =
        task.lastStatus === 'PENDING' ||
        task.lastStatus === 'ACTIVATING' ||
        task.lastStatus === 'PROVISIONING';
      const createdAt = task.createdAt instanceof Date ? task.createdAt.getTime() : undefined;
      if (
        starting &&
        (createdAt === undefined || now - createdAt < (this.deps.settleMs ?? DEFAULT_SETTLE_MS))
      ) {
        record.starting += 1;
        continue;
      }
      if (task.lastStatus !== 'RUNNING' && !starting) continue;
      const result = taskFromEcs(task, record.runId, new Date(now).toISOString());
      if (result.kind === 'task') {
        parsed.push(result.task);
      } else {
        // Not a task the guard can read: said in the log like an ignored event, never dropped silently.
        record.errors += 1;
        this.deps.logger.error('ignored', {
          type: 'image-guard.ignored',
          time: new Date(now).toISOString(),
          eventId: `sweep:${record.runId}`,
          ...(task.taskArn ? { taskArn: task.taskArn } : {}),
          reason: result.reason,
          message: result.message,
        });
      }
    }
    if (parsed.length === 0) return [];
    record.calls.memoryReads += Math.ceil(parsed.length / 100);
    const memory = await this.deps.memory.read(parsed.map((t) => t.taskArn));
    const candidates: Candidate[] = [];
    for (const task of parsed) {
      const previous = memory.get(task.taskArn);
      const why = this.whyDecide(task, previous, now);
      if (why === undefined) {
        record.current += 1;
        for (const g of previous?.alertGroups ?? []) run.groups.add(g);
        continue;
      }
      candidates.push({ task, why, ...(previous ? { previous } : {}) });
    }
    return candidates;
  }

  private whyDecide(
    task: TaskEvent,
    previous: FinalDecision | undefined,
    now: number,
  ): SweepDecisionFacts['why'] | undefined {
    if (previous === undefined) return 'unknown';
    if (previous.policySha256 !== this.deps.evaluator.policySha256) return 'policy-changed';
    if (previous.validUntil !== undefined && now >= previous.validUntil) return 'exemption-expired';
    if (now - previous.decidedAt >= this.recheckAfterMs) return 'recheck';
    for (const c of task.containers) {
      if (c.imageDigest !== undefined && previous.digests[c.name] !== c.imageDigest) return 'digest-changed';
    }
    return undefined;
  }

  /** One task that cannot be decided (a bug, a store that throws) is recorded; the others still are. */
  private async decideIsolated(run: Run, candidate: Candidate): Promise<void> {
    try {
      await this.decide(run, candidate);
    } catch (e) {
      run.record.errors += 1;
      this.deps.metrics.count('Errors');
      this.deps.logger.error('sweep-task', {
        taskArn: candidate.task.taskArn,
        message: `task not decided by this run (decided again by the next): ${toGuardError(e).message}`,
      });
    }
  }

  private async decide(run: Run, candidate: Candidate): Promise<void> {
    const { record } = run;
    const { task } = candidate;
    const started = this.now();
    const decisionId = this.newId();
    const signal = AbortSignal.timeout(
      Math.max(1, Math.min(this.deps.verifyDeadlineMs, run.deadline - started)),
    );
    const evaluation = await evaluateTask(task, this.deps.evaluator, signal);
    record.decided += 1;
    this.deps.metrics.count('SweepTasksDecided');
    const { decision, containers } = evaluation;
    const facts: SweepDecisionFacts = {
      runId: record.runId,
      why: candidate.why,
      stopBudget: this.stopBudget,
      budgetExhausted: false,
    };
    const notice =
      decision.action === 'none' ? undefined : taskNotice(task, decisionId, decision, containers);
    const alertGroups = new Map(
      (notice?.failing ?? []).map((c) => [c.name, alertGroupKey(groupMemberOf(notice!, c))] as const),
    );
    for (const g of alertGroups.values()) run.groups.add(g);
    const fingerprint = decisionFingerprint(decision, containers);
    const base = this.recordBase({ decisionId, started, task, evaluation, alertGroups });

    if (
      notice === undefined ||
      (decision.action === 'alert' && candidate.previous?.fingerprint === fingerprint)
    ) {
      // Nothing to act on, or an alert whose decision was already alerted on: not repeated.
      if (notice !== undefined) facts.unchanged = true;
      this.log(
        buildDecisionRecord({ ...base, durationMs: this.now() - started, action: 'none', sweep: facts }),
      );
      await this.remember(run, task, evaluation, alertGroups, started);
      return;
    }
    const decided: Decided = {
      task,
      decisionId,
      evaluation,
      alertGroups,
      candidate,
      started,
      notice,
      facts,
      fingerprint,
    };
    if (decision.action === 'stop') {
      if (run.stopsLeft <= 0) {
        run.deferred.push(decided);
        return;
      }
      run.stopsLeft -= 1;
    }
    await this.act(run, decided);
  }

  /** Stop (its budget taken by the caller) or alert, record, remember. */
  private async act(run: Run, d: Decided): Promise<void> {
    const { record } = run;
    const { task, notice, evaluation, started, facts } = d;
    const { decision } = evaluation;
    const base = this.recordBase(d);
    // A changed decision is claimed apart from the task's earlier stop and alert (enforcer ledgerKey).
    notice.ledgerKey = `${task.taskArn}#sweep#${d.fingerprint}`;
    let result: EnforcementResult = { action: 'none' };
    try {
      result = await enforce(notice, this.deps.enforcer, run.deadline);
    } catch (e) {
      const error = toGuardError(e);
      const done = e instanceof EnforcementError ? e.done : result;
      if (decision.action === 'stop' && done.action !== 'stopped') run.stopsLeft += 1;
      record.errors += 1;
      this.deps.metrics.count('Errors');
      if (done.action === 'stopped') record.stopped += 1;
      this.deps.logger.error(
        'decision',
        buildDecisionRecord({
          ...base,
          durationMs: this.now() - started,
          action: done.action,
          actionError: error.message,
          sweep: facts,
        }),
      );
      return;
    }
    // Only a stop this run made counts against its budget (not one an earlier run already made).
    if (decision.action === 'stop' && !(result.action === 'stopped' && result.stop !== 'duplicate'))
      run.stopsLeft += 1;
    if (result.action === 'stopped') {
      record.stopped += 1;
      this.deps.metrics.count('TasksStopped');
    }
    if (result.alert === 'sent') {
      record.alerted += 1;
      this.deps.metrics.count('TasksAlerted');
    }
    this.log(
      buildDecisionRecord({
        ...base,
        durationMs: this.now() - started,
        action: result.action,
        ...(result.group
          ? {
              alert: {
                group: result.group.key,
                status: result.group.alert,
                ...(result.group.count !== undefined ? { count: result.group.count } : {}),
                ...(result.group.since !== undefined ? { since: result.group.since } : {}),
              },
            }
          : {}),
        sweep: facts,
      }),
    );
    await this.remember(run, task, evaluation, d.alertGroups, started);
  }

  private recordBase(d: Pick<Decided, 'decisionId' | 'started' | 'task' | 'evaluation' | 'alertGroups'>) {
    return {
      trigger: 'sweep' as const,
      decisionId: d.decisionId,
      time: new Date(d.started).toISOString(),
      task: d.task,
      decision: d.evaluation.decision,
      containers: d.evaluation.containers,
      policySha256: this.deps.evaluator.policySha256,
      ...(d.alertGroups.size > 0 ? { alertGroups: d.alertGroups } : {}),
    };
  }

  /**
   * Stops refunded during the run (a stop an earlier run made) go to the tasks deferred meanwhile;
   * what is still beyond the budget is listed in the summary alert.
   */
  private async stopDeferredWithinBudget(run: Run): Promise<void> {
    while (run.stopsLeft > 0 && run.deferred.length > 0) {
      const next = run.deferred.shift() as Decided;
      run.stopsLeft -= 1;
      await this.act(run, next);
    }
  }

  /** The tasks beyond the budget: one summary alert, claimed in the ledger so an equal list is sent once. */
  private async alertDeferred(run: Run): Promise<void> {
    const { record, deferred } = run;
    if (deferred.length === 0) return;
    record.deferredStops = deferred.length;
    this.deps.metrics.count('SweepStopsDeferred', deferred.length);
    const { enforcer } = this.deps;
    const sorted = [...deferred].sort((a, b) => (a.task.taskArn < b.task.taskArn ? -1 : 1));
    const list: DeferredStop[] = sorted.map((d) => ({
      clusterName: d.task.clusterName,
      ...(d.task.service !== undefined ? { service: d.task.service } : {}),
      taskArn: d.task.taskArn,
      failing: failingOf(d.evaluation.containers),
    }));
    let status: NonNullable<SweepDecisionFacts['summaryAlert']> = 'no-topic';
    if (enforcer.topicArn) {
      const key = `sweep-budget#${summaryHash(
        sorted.map(
          (d) => `${d.task.taskArn}|${decisionFingerprint(d.evaluation.decision, d.evaluation.containers)}`,
        ),
      )}`;
      try {
        const claim = await enforcer.ledger.claim(key, 'alert', record.runId);
        if (claim.status === 'claimed') {
          await publishSweepMessage(
            enforcer.sns,
            enforcer.topicArn,
            budgetSummaryMessage(list, this.stopBudget, record.runId),
            'sweep-budget',
            {
              ...enforcer.retry,
              deadline: Math.max(run.deadline, this.now() + 1000),
              now: enforcer.now ?? Date.now,
            },
          ).catch(async (e: unknown) => {
            await enforcer.ledger.release(key, 'alert', record.runId).catch(() => {});
            throw e;
          });
          await enforcer.ledger.complete(key, 'alert', record.runId, 'sent');
          status = 'sent';
        } else {
          // Done: this very list was emailed by an earlier run. Held: a concurrent run is emailing it.
          status = 'duplicate';
        }
      } catch (e) {
        status = 'failed';
        record.errors += 1;
        this.deps.metrics.count('Errors');
        this.deps.logger.error('sweep-alert', {
          runId: record.runId,
          message: `the stop-budget summary could not be sent: ${describeAwsError(e)}`,
        });
      }
    }
    record.summaryAlert = status;
    for (const d of sorted) {
      this.log(
        buildDecisionRecord({
          trigger: 'sweep',
          decisionId: d.decisionId,
          time: new Date(d.started).toISOString(),
          task: d.task,
          decision: d.evaluation.decision,
          containers: d.evaluation.containers,
          policySha256: this.deps.evaluator.policySha256,
          durationMs: this.now() - d.started,
          action: status === 'sent' ? 'alerted' : 'none',
          ...(d.alertGroups.size > 0 ? { alertGroups: d.alertGroups } : {}),
          sweep: {
            runId: record.runId,
            why: d.candidate.why,
            stopBudget: this.stopBudget,
            budgetExhausted: true,
            summaryAlert: status,
          },
        }),
      );
      // Not remembered: the next run decides it again and stops it within its budget.
    }
  }

  /**
   * Alert groups whose window closed with tasks counted and never emailed: the count is taken from
   * the ledger (exactly one caller gets it) and reported in one email.
   */
  private async reportClosedWindows(run: Run): Promise<void> {
    const { enforcer } = this.deps;
    const { record } = run;
    if (!enforcer.topicArn || run.groups.size === 0) return;
    const windows: ClosedWindow[] = [];
    try {
      for (const groupKey of [...run.groups].sort().slice(0, MAX_GROUPS_FLUSHED)) {
        const taken = await enforcer.ledger.takeClosedWindowCount(groupKey);
        if (!taken) continue;
        const state = await enforcer.ledger.readGroup(groupKey);
        windows.push({
          groupKey,
          counted: taken.counted,
          since: taken.since,
          ...(state?.label ? { label: state.label } : {}),
        });
      }
      if (windows.length === 0) return;
      await publishSweepMessage(
        enforcer.sns,
        enforcer.topicArn,
        closedWindowsMessage(windows),
        'sweep-windows',
        {
          ...enforcer.retry,
          deadline: Math.max(run.deadline, this.now() + 1000),
          now: enforcer.now ?? Date.now,
        },
      );
      record.windowsReported = windows.length;
      record.windowsAlert = 'sent';
    } catch (e) {
      record.windowsAlert = 'failed';
      record.errors += 1;
      this.deps.metrics.count('Errors');
      // The counts taken are not lost: they are in this line.
      this.deps.logger.error('sweep-alert', {
        runId: record.runId,
        message: `closed alert-group windows could not be reported: ${describeAwsError(e)}`,
        windows,
      });
    }
  }

  private async remember(
    run: Run,
    task: TaskEvent,
    evaluation: TaskEvaluation,
    alertGroups: ReadonlyMap<string, string>,
    decidedAt: number,
  ): Promise<void> {
    const final = finalDecisionOf({
      taskArn: task.taskArn,
      policySha256: this.deps.evaluator.policySha256,
      decidedAt,
      decision: evaluation.decision,
      containers: evaluation.containers,
      alertGroups,
    });
    if (!final) {
      run.record.notFinal += 1;
      return;
    }
    await this.deps.memory.write(final).catch((e: unknown) => {
      // The task is decided again next run (from the verdict cache): logged, not fatal.
      run.record.errors += 1;
      this.deps.logger.error('memory', {
        taskArn: task.taskArn,
        message: `final decision not remembered: ${String(e)}`,
      });
    });
  }

  private clusterFailed(record: SweepRunRecord, cluster: string, e: unknown): void {
    record.clusterFailures.push({ cluster, message: describeAwsError(e) });
    record.errors += 1;
    this.deps.metrics.count('SweepClusterFailures');
  }

  private timeLeft(run: Run): number {
    return run.deadline - this.now();
  }

  private log(record: DecisionRecord): void {
    this.deps.logger.info('decision', record);
  }
}

function failingOf(containers: readonly ContainerResult[]): FailingContainer[] {
  return containers
    .filter((c) => c.decision.outcome === 'deny' || c.decision.outcome === 'error')
    .map((c) => ({
      name: c.name,
      image: c.image ?? '(no image reported)',
      ...(c.digest !== undefined ? { digest: c.digest } : {}),
      outcome: c.decision.outcome as 'deny' | 'error',
      reason: c.decision.reason,
      message: c.decision.message,
    }));
}

function summaryHash(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}
