import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { backoffDelayMs, sleep as defaultSleep, type RetryOptions } from '../aws/retry';
import { GuardError, toGuardError } from '../errors';
import { ReasonCode } from '../reasons';
import {
  ALERT_SEVERITY,
  DEFAULT_ALERT_WINDOW_MS,
  alertGroupKey,
  alertGroupLabel,
  noticeGroupMember,
} from './alert-group';
import type { AlertFacts } from './alert-message';
import { publishAlert } from './alert-publisher';
import type {
  ClaimOutcome,
  DecisionLedger,
  GroupAlertRequest,
  GroupDecision,
  LedgerAction,
} from './decision-ledger';
import type { TaskNotice } from './notice';
import { stopReason } from './stop-reason';
import { stopTask, type StopStatus } from './task-stopper';

export interface EnforcerDeps {
  ecs: Sender<ECSClient>;
  sns: Sender<SNSClient>;
  topicArn?: string;
  ledger: DecisionLedger;
  /** Alert grouping window (policy `alerts.windowMinutes`); 0 emails every task. Default 1 hour. */
  alertWindowMs?: number;
  /** Time this invocation may spend enforcing when `enforce` is given no deadline. Default 20 s. */
  budgetMs?: number;
  /** Longest wait for another invocation's claim on the same task before failing for a retry. Default 10 s. */
  maxWaitForHolderMs?: number;
  /** Retry tuning and clock (tests: no real waiting). */
  retry?: Partial<Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'random' | 'sleep'>>;
  now?: () => number;
}

/** What became of the task's alert with respect to its group. */
export interface GroupOutcome {
  /** `group#<hash>` (see `alertGroupKey`): the same for every task of the group. */
  key: string;
  /** `sent`: this task's email went out; `counted`: counted in the group's window, not emailed. */
  alert: 'sent' | 'counted' | 'duplicate';
  /** `counted`: tasks counted in the window so far. `sent`: tasks this email reports as counted. */
  count?: number;
  /** ISO time of the first counted task. */
  since?: string;
}

export interface EnforcementResult {
  /** As in the decision record: what this invocation did. */
  action: 'stopped' | 'alerted' | 'none';
  stop?: StopStatus | 'duplicate' | 'failed';
  alert?: 'sent' | 'counted' | 'duplicate' | 'no-topic';
  alertMessageId?: string;
  group?: GroupOutcome;
}

/**
 * A failed enforcement step, with what was already done before it failed: a task that was stopped
 * before the alert failed is recorded as stopped, not as "nothing done".
 */
export class EnforcementError extends GuardError {
  constructor(
    error: GuardError,
    readonly done: EnforcementResult,
  ) {
    super(error.code, error.message, { retryable: error.retryable, cause: error });
    this.name = 'EnforcementError';
  }
}

interface Run {
  notice: TaskNotice;
  deps: EnforcerDeps;
  deadline: number;
  now: () => number;
  retry: Partial<RetryOptions>;
  result: EnforcementResult;
}

/**
 * Carries out a task decision: stop exactly once, then alert once per task, grouped per
 * (cluster, service or family, container, digest). Each side effect is claimed in the ledger with a
 * lease first and marked done after; a failed call gives the claim back, and an invocation that died
 * half-way leaves a lease a retry takes over, so the retry finishes the job. StopTask may be sent
 * twice (after a lost answer): ECS answers "already stopped" or "not found", both done.
 *
 * `deadline` (epoch ms) bounds every retry and wait; it must leave the invocation time to write the
 * ledger before the function times out.
 */
export async function enforce(
  notice: TaskNotice,
  deps: EnforcerDeps,
  deadline?: number,
): Promise<EnforcementResult> {
  const now = deps.now ?? Date.now;
  const run: Run = {
    notice,
    deps,
    now,
    deadline: deadline ?? now() + (deps.budgetMs ?? 20_000),
    retry: {},
    result: { action: 'none' },
  };
  run.retry = { ...deps.retry, deadline: run.deadline, now };
  const member = noticeGroupMember(notice);
  if (member) run.result.group = { key: alertGroupKey(member), alert: 'duplicate' };

  if (notice.action !== 'stop') {
    return alertOnce(
      run,
      notice.mode === 'audit' && notice.failing.some((c) => c.outcome === 'deny')
        ? { kind: 'would-stop' }
        : notice.failing.length === 0 && (notice.exempted?.length ?? 0) > 0
          ? { kind: 'exempted' }
          : { kind: 'error' },
    );
  }

  const claim = await claimOrWait(run, 'stop');
  let stopped: StopStatus;
  if (claim.status === 'done') {
    run.result.stop = 'duplicate';
    stopped =
      claim.outcome === 'already-stopped' || claim.outcome === 'already-gone' ? claim.outcome : 'stopped';
  } else {
    try {
      stopped = (
        await stopTask(
          deps.ecs,
          {
            clusterArn: notice.clusterArn,
            taskArn: notice.taskArn,
            reason: stopReason(notice.failing, notice.decisionId),
          },
          run.retry,
        )
      ).status;
    } catch (e) {
      await deps.ledger.release(ledgerKey(notice), 'stop', notice.decisionId);
      const error = toGuardError(e);
      run.result.stop = 'failed';
      // A transient failure (throttled past the deadline) is retried by Lambda. A permanent one
      // (access denied, unknown cluster) will not heal by itself: the owners hear that the task may
      // still be running, then the error is raised so the record carries it and the event ends in
      // the dead-letter queue.
      if (!error.retryable) {
        const done = await alertOnce(run, { kind: 'stop-failed', stopError: error.message }).catch(
          (alertError) => {
            throw new EnforcementError(toGuardError(alertError), { ...run.result });
          },
        );
        throw new EnforcementError(error, done);
      }
      throw new EnforcementError(error, { ...run.result });
    }
    await deps.ledger.complete(ledgerKey(notice), 'stop', notice.decisionId, stopped);
    run.result.stop = stopped;
    run.result.action = 'stopped';
  }
  return alertOnce(run, {
    kind: 'stopped',
    alreadyStopped: stopped === 'already-stopped' || stopped === 'already-gone',
  });
}

/**
 * Claims `action`; while another invocation holds a live lease on it, waits (with back-off, within
 * the deadline and `maxWaitForHolderMs`) for it to finish or for its lease to expire. A holder that
 * is still busy at the deadline fails this invocation as retryable: Lambda's retry comes back after
 * the lease has expired and takes over, so a claim is never silently skipped.
 */
async function claimOrWait(
  run: Run,
  action: LedgerAction,
): Promise<ClaimOutcome & { status: 'claimed' | 'done' }> {
  const { notice, deps, now } = run;
  const waitUntil = Math.min(run.deadline, now() + (deps.maxWaitForHolderMs ?? 10_000));
  const sleep = deps.retry?.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    const claim = await deps.ledger.claim(ledgerKey(notice), action, notice.decisionId);
    if (claim.status !== 'held') return claim;
    const delay = Math.min(
      Math.max(claim.leaseUntil - now(), 0) + 1,
      Math.max(backoffDelayMs(attempt, 250, 2_000, deps.retry?.random), 50),
    );
    if (now() + delay >= waitUntil) {
      throw new EnforcementError(
        new GuardError(
          ReasonCode.INTERNAL_ERROR,
          `the ${action} of this task is in progress in another invocation (decision ${claim.by}, lease until ${new Date(claim.leaseUntil).toISOString()}); a retry finishes it`,
          { retryable: true },
        ),
        { ...run.result },
      );
    }
    await sleep(delay);
  }
}

async function alertOnce(run: Run, facts: AlertFacts): Promise<EnforcementResult> {
  const { notice, deps, result } = run;
  if (!deps.topicArn) {
    result.alert = 'no-topic';
    return result;
  }
  // A "FAILED to stop" is its own ledger action: never a duplicate of a "Stopped" email.
  const action: LedgerAction = facts.kind === 'stop-failed' ? 'stop-failed-alert' : 'alert';
  const claim = await claimOrWait(run, action);
  if (claim.status === 'done') {
    result.alert = 'duplicate';
    return result;
  }

  const member = noticeGroupMember(notice);
  const windowMs = deps.alertWindowMs ?? DEFAULT_ALERT_WINDOW_MS;
  let request: GroupAlertRequest | undefined;
  let decision: GroupDecision = { kind: 'alert', counted: 0 };
  try {
    if (member && windowMs > 0) {
      request = {
        groupKey: alertGroupKey(member),
        label: alertGroupLabel(member),
        taskArn: notice.taskArn,
        decisionId: notice.decisionId,
        severity: ALERT_SEVERITY[facts.kind],
        windowMs,
        force: facts.kind === 'stop-failed',
      };
      decision = await deps.ledger.groupAlert(request);
    }
    if (decision.kind === 'counted') {
      await deps.ledger.complete(ledgerKey(notice), action, notice.decisionId, 'counted');
      result.alert = 'counted';
      result.group = {
        key: request!.groupKey,
        alert: 'counted',
        count: decision.count,
        since: new Date(decision.since).toISOString(),
      };
      return result;
    }
    const counted =
      decision.counted > 0 && decision.since !== undefined
        ? { count: decision.counted, since: decision.since }
        : undefined;
    result.alertMessageId = await publishAlert(
      deps.sns,
      deps.topicArn,
      notice,
      { ...facts, ...(counted ? { counted } : {}) },
      run.retry,
    );
    result.alert = 'sent';
    if (result.group) {
      result.group.alert = 'sent';
      if (counted) {
        result.group.count = counted.count;
        result.group.since = new Date(counted.since).toISOString();
      }
    }
    if (result.action === 'none') result.action = 'alerted';
  } catch (e) {
    // Leave the ledger so that a retry sends this alert: the group's window reopened, the claim given back.
    if (request && decision.kind === 'alert')
      await deps.ledger.groupAlertFailed(request, decision).catch(() => {});
    await deps.ledger.release(ledgerKey(notice), action, notice.decisionId);
    throw new EnforcementError(toGuardError(e), { ...result });
  }
  await deps.ledger.complete(ledgerKey(notice), action, notice.decisionId, 'sent');
  return result;
}

/**
 * The task's ledger key for its stop and alert claims. A notice on digests the guard resolved itself
 * is claimed apart from the task's own, so the alert for the task's confirmed decision (often a stop,
 * on the next event that carries a digest) still goes out. Groups are shared either way.
 */
function ledgerKey(notice: TaskNotice): string {
  if (notice.ledgerKey !== undefined) return notice.ledgerKey;
  return notice.unconfirmed === true ? `${notice.taskArn}#unconfirmed` : notice.taskArn;
}
