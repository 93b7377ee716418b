/**
 * The execution environment dies after ECS received StopTask and before anything else happened (a
 * crash, an out-of-memory kill, the function timeout). Lambda retries the event in a new environment.
 * The retry must still stop the task (StopTask is idempotent and the guard cannot know whether the
 * first call took effect) and alert exactly once: a stop claim left by a dead instance is a lease
 * that expires, not a permanent "already done".
 *
 * The lease length comes from the function's environment, IMAGE_GUARD_LEASE_SECONDS (short here so
 * the retry does not wait a real minute).
 */
import type { LambdaProcess } from '../support/e2e';
import {
  decisionsFor,
  sleep,
  startScenario,
  taskArnOf,
  type Scenario,
  SETUP_TIMEOUT_MS,
} from '../support/e2e/scenario';
import { newTaskId, taskEvent, type PushedImage } from '../guard/support';

const LEASE_SECONDS = 2;
const LEASE_ENV = { IMAGE_GUARD_LEASE_SECONDS: String(LEASE_SECONDS) };
/** Lambda retries a failed asynchronous invocation twice (MaximumRetryAttempts 2). */
const LAMBDA_RETRIES = 2;

let s: Scenario;
let unsigned: PushedImage;

beforeAll(async () => {
  s = await startScenario();
  unsigned = await s.push('app', 'unsigned', { signed: false });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

/** Lambda's retries of a failed event, each in a fresh environment, after the lease has run out. */
async function lambdaRetries(event: unknown): Promise<{ lambdas: LambdaProcess[]; ok: boolean }> {
  const lambdas: LambdaProcess[] = [];
  for (let attempt = 0; attempt < LAMBDA_RETRIES; attempt++) {
    await sleep(LEASE_SECONDS * 1000 + 500);
    const lp = await s.guard.startLambda(LEASE_ENV);
    lambdas.push(lp);
    if ((await lp.invoke(event)).ok) return { lambdas, ok: true };
  }
  return { lambdas, ok: false };
}

describe('the environment killed after StopTask was sent', () => {
  it('the retry stops the task again and alerts once; a later duplicate does nothing', async () => {
    const event = taskEvent({
      taskId: newTaskId(),
      containers: [{ name: 'api', image: unsigned.image, imageDigest: unsigned.digest }],
    });
    const taskArn = taskArnOf(event);

    const first = await s.guard.startLambda(LEASE_ENV);
    const held = s.guard.ecs.holdNextStopTask();
    const invocation = first.invoke(event);
    const received = await held.received;
    expect(received.input).toMatchObject({ task: taskArn });
    await first.kill();
    await expect(invocation).rejects.toThrow(/exited during invocation/);
    held.release();
    // ECS got the stop; nothing was alerted and nothing was logged by the dead environment.
    expect(s.guard.ecs.callsOf('StopTask')).toHaveLength(1);
    expect(s.guard.sns.callsOf('Publish')).toHaveLength(0);
    expect(decisionsFor(taskArn, first)).toHaveLength(0);

    const retry = await lambdaRetries(event);
    expect(retry.ok).toBe(true);

    const stops = s.guard.ecs.callsOf('StopTask');
    expect(stops).toHaveLength(2);
    expect(stops.map((c) => c.input.task)).toEqual([taskArn, taskArn]);
    expect(s.guard.sns.callsOf('Publish')).toHaveLength(1);
    expect(s.guard.sns.published[0]!.message).toContain(taskArn);
    const records = decisionsFor(taskArn, ...retry.lambdas);
    expect(records.at(-1)).toMatchObject({
      action: 'stopped',
      containers: [expect.objectContaining({ outcome: 'deny', digest: unsigned.digest })],
    });
    // Only key-addressed ledger writes and reads: no scans of the table.
    expect(s.guard.ledgerCalls().filter((op) => !['UpdateItem', 'GetItem', 'PutItem'].includes(op))).toEqual(
      [],
    );

    // EventBridge delivers the event once more, after all that: the stop is done, the alert sent.
    const ledgerBefore = s.guard.ledgerCalls().length;
    const late = await s.guard.startLambda(LEASE_ENV);
    expect((await late.invoke(event)).ok).toBe(true);
    expect(s.guard.ecs.callsOf('StopTask')).toHaveLength(2);
    expect(s.guard.sns.callsOf('Publish')).toHaveLength(1);
    expect(decisionsFor(taskArn, late)).toEqual([expect.objectContaining({ action: 'none' })]);
    expect(s.guard.ledgerCalls().length).toBeGreaterThan(ledgerBefore);
  }, 60_000);
});
