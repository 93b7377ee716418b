import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Sender } from '../aws/lazy-client';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

export type StopResult = { status: 'stopped' } | { status: 'already-gone' };

/**
 * Stops a task. A task that is already stopping or stopped is a success (StopTask answers it
 * normally); one ECS no longer knows ("The referenced task was not found") is not running either.
 */
export async function stopTask(
  ecs: Sender<ECSClient>,
  input: { clusterArn: string; taskArn: string; reason: string },
): Promise<StopResult> {
  // Loaded on first use: a guard that only allows tasks never loads the ECS client.
  const { StopTaskCommand } = await import('@aws-sdk/client-ecs');
  try {
    await ecs.send(
      new StopTaskCommand({ cluster: input.clusterArn, task: input.taskArn, reason: input.reason }),
    );
    return { status: 'stopped' };
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    const message = e instanceof Error ? e.message : String(e);
    if (name === 'InvalidParameterException' && /task was not found/i.test(message))
      return { status: 'already-gone' };
    const retryable =
      /Throttl|ServerException|ServiceUnavailable|RequestLimitExceeded|TimeoutError|NetworkingError/i.test(
        `${name} ${message}`,
      );
    throw new GuardError(ReasonCode.INTERNAL_ERROR, `StopTask failed: ${name}: ${message}`, {
      retryable,
      cause: e,
    });
  }
}
