/**
 * An unsigned image in a service: ECS replaces every stopped task, so the guard sees a stream of new
 * tasks of the same service and digest. Each one is stopped, but the owners get at most two alerts
 * (the first, then the count), not one per task. Two execution environments share the work, as
 * concurrent Lambda instances do.
 */
import type { LambdaProcess } from '../support/e2e';
import {
  decisionsFor,
  registerTask,
  serviceTaskEvent,
  startScenario,
  taskArnOf,
  type Scenario,
  SETUP_TIMEOUT_MS,
} from '../support/e2e/scenario';
import { newTaskId, type PushedImage } from '../guard/support';

const REPLACEMENTS = 20;
const ENVIRONMENTS = 2;
/** Ledger calls one replacement may cost at most, contention included. */
const LEDGER_CALL_BUDGET_PER_TASK = 8;
const SERVICE = 'checkout';
const DEPLOYMENT_ID = 'ecs-svc/7730183344120987112';
const TASK_DEFINITION_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/checkout:7';

let s: Scenario;
let unsigned: PushedImage;

beforeAll(async () => {
  s = await startScenario();
  unsigned = await s.push('checkout', '3.1', { signed: false });
  s.guard.ecs.taskDefinitions.set(TASK_DEFINITION_ARN, {
    taskDefinitionArn: TASK_DEFINITION_ARN,
    containers: [{ name: 'web', image: unsigned.image }],
  });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

describe(`${REPLACEMENTS} replacement tasks of one unsigned service`, () => {
  it('stops every task and sends at most two alerts: the first, and the count', async () => {
    const events = Array.from({ length: REPLACEMENTS }, () => {
      const event = serviceTaskEvent({
        taskId: newTaskId(),
        service: SERVICE,
        deploymentId: DEPLOYMENT_ID,
        taskDefinitionArn: TASK_DEFINITION_ARN,
        containers: [{ name: 'web', image: unsigned.image, imageDigest: unsigned.digest }],
      });
      registerTask(s.guard.ecs, event);
      return event;
    });
    const lambdas: LambdaProcess[] = [];
    for (let i = 0; i < ENVIRONMENTS; i++) lambdas.push(await s.guard.startLambda());

    // Each environment handles every ENVIRONMENTS-th event, one at a time; the environments run side by side.
    const results = await Promise.all(
      lambdas.map(async (lp, i) => {
        const mine = events.filter((_e, n) => n % ENVIRONMENTS === i);
        const out = [];
        for (const event of mine) out.push(await lp.invoke(event));
        return out;
      }),
    );
    expect(results.flat().filter((r) => !r.ok)).toEqual([]);

    const stopped = s.guard.ecs.callsOf('StopTask').map((c) => c.input.task);
    expect(stopped).toHaveLength(REPLACEMENTS);
    expect(new Set(stopped)).toEqual(new Set(events.map(taskArnOf)));

    const alerts = s.guard.sns.published;
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts.length).toBeLessThanOrEqual(2);
    expect(alerts[0]!.message).toContain(SERVICE);
    expect(alerts[0]!.message).toContain(unsigned.digest);

    for (const event of events) {
      expect(decisionsFor(taskArnOf(event), ...lambdas)).toEqual([
        expect.objectContaining({
          action: 'stopped',
          service: SERVICE,
          containers: [expect.objectContaining({ outcome: 'deny', digest: unsigned.digest })],
        }),
      ]);
    }
    const tasksStopped = lambdas.reduce((n, lp) => n + lp.metric('TasksStopped'), 0);
    expect(tasksStopped).toBe(REPLACEMENTS);
    // The ledger is addressed by key only (no scans), with a bounded number of calls per task
    // (leased stop and alert claims, their done marks, the alert group's count: about six).
    const ledger = s.guard.ledgerCalls();
    expect(ledger.filter((op) => !['UpdateItem', 'GetItem', 'PutItem'].includes(op))).toEqual([]);
    expect(ledger.length).toBeLessThanOrEqual(REPLACEMENTS * LEDGER_CALL_BUDGET_PER_TASK);
  }, 120_000);
});
