import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { GuardError, toGuardError } from '../errors';
import { publishAlert } from './alert-publisher';
import type { DecisionLedger } from './decision-ledger';
import type { TaskNotice } from './notice';
import { stopReason } from './stop-reason';
import { stopTask } from './task-stopper';

export interface EnforcerDeps {
  ecs: Sender<ECSClient>;
  sns: Sender<SNSClient>;
  topicArn?: string;
  ledger: DecisionLedger;
}

export interface EnforcementResult {
  /** As in the decision record: what this invocation did. */
  action: 'stopped' | 'alerted' | 'none';
  stop?: 'stopped' | 'already-gone' | 'duplicate';
  alert?: 'sent' | 'duplicate' | 'no-topic';
  alertMessageId?: string;
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

/**
 * Carries out a task decision: stop at most once, then alert at most once. Each side effect is
 * claimed in the ledger first and the claim is given back if the call fails, so a retried
 * invocation can finish the job without doing anything twice.
 */
export async function enforce(notice: TaskNotice, deps: EnforcerDeps): Promise<EnforcementResult> {
  const result: EnforcementResult = { action: 'none' };
  if (notice.action === 'stop') {
    if (await deps.ledger.claim(notice.taskArn, 'stop', notice.decisionId)) {
      try {
        const stopped = await stopTask(deps.ecs, {
          clusterArn: notice.clusterArn,
          taskArn: notice.taskArn,
          reason: stopReason(notice.failing, notice.decisionId),
        });
        result.stop = stopped.status;
        result.action = 'stopped';
      } catch (e) {
        await deps.ledger.release(notice.taskArn, 'stop', notice.decisionId);
        const error = toGuardError(e);
        // A transient failure is retried by Lambda. A permanent one (access denied, unknown cluster)
        // will not heal by itself: the owners hear that the task may still be running, then the
        // error is raised so the record carries it and the event ends in the dead-letter queue.
        if (!error.retryable) {
          const done = await alertOnce({ ...notice, stopped: false, stopError: error.message }, deps, result);
          throw new EnforcementError(error, done);
        }
        throw error;
      }
    } else {
      result.stop = 'duplicate';
    }
  }
  return alertOnce(notice, deps, result);
}

async function alertOnce(
  notice: TaskNotice,
  deps: EnforcerDeps,
  result: EnforcementResult,
): Promise<EnforcementResult> {
  if (!deps.topicArn) {
    result.alert = 'no-topic';
    return result;
  }
  if (await deps.ledger.claim(notice.taskArn, 'alert', notice.decisionId)) {
    try {
      result.alertMessageId = await publishAlert(deps.sns, deps.topicArn, notice);
      result.alert = 'sent';
      if (result.action === 'none') result.action = 'alerted';
    } catch (e) {
      await deps.ledger.release(notice.taskArn, 'alert', notice.decisionId);
      throw new EnforcementError(toGuardError(e), { ...result });
    }
  } else {
    result.alert = 'duplicate';
  }
  return result;
}
