import type { ECSClient } from '@aws-sdk/client-ecs';
import { classifyAwsError, describeAwsError } from '../aws/aws-error';
import type { Sender } from '../aws/lazy-client';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { STOP_REASON_PREFIX } from './stop-reason';

/**
 * `stopped`: this StopTask stopped it. `already-stopped`: ECS answered with a task that had already
 * stopped. `already-gone`: ECS no longer knows the task ("The referenced task was not found").
 */
export type StopStatus = 'stopped' | 'already-stopped' | 'already-gone';
export type StopResult = { status: StopStatus };

/** Last statuses of a task whose containers no longer run. */
const STOPPED_STATUSES = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED']);

/**
 * Stops a task. StopTask may be sent again for a task already stopping or stopped (a retry after a
 * lost answer): ECS answers normally, or "task not found" once it has forgotten the task; both
 * mean it no longer runs. Throttling and server errors are retried with back-off within the
 * deadline; the error thrown after that says whether Lambda's retry may still succeed.
 */
export async function stopTask(
  ecs: Sender<ECSClient>,
  input: { clusterArn: string; taskArn: string; reason: string },
  retry: Partial<RetryOptions> = {},
): Promise<StopResult> {
  // Loaded on first use: a guard that only allows tasks never loads the ECS client.
  const { StopTaskCommand } = await import('@aws-sdk/client-ecs');
  try {
    const out = await withRetry(
      () =>
        ecs.send(
          new StopTaskCommand({ cluster: input.clusterArn, task: input.taskArn, reason: input.reason }),
        ),
      { ...DEFAULT_RETRY, ...retry },
    );
    // Already on its way down for another reason (not an earlier StopTask of ours): say so.
    const last = out.task?.lastStatus;
    const ours = out.task?.stoppedReason?.startsWith(STOP_REASON_PREFIX) ?? false;
    return {
      status: last !== undefined && STOPPED_STATUSES.has(last) && !ours ? 'already-stopped' : 'stopped',
    };
  } catch (e) {
    if (e instanceof GuardError) throw e;
    const { kind, name } = classifyAwsError(e);
    if (kind === 'not-found' && name === 'InvalidParameterException') return { status: 'already-gone' };
    throw new GuardError(ReasonCode.INTERNAL_ERROR, `StopTask failed: ${describeAwsError(e)}`, {
      retryable: kind === 'throttled' || kind === 'retryable',
      cause: e,
    });
  }
}
