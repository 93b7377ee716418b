/**
 * GuardDuty Runtime Monitoring adds a sidecar to Fargate tasks: a container the task definition does
 * not declare, named `aws-guardduty-agent-<random>`, reported with a digest and no `image`. The guard
 * recognises it through DescribeTaskDefinition and decides the task on its own containers: beside a
 * signed app the task runs, beside an unsigned app it is stopped. A container that merely has the
 * agent's name but is declared in the task definition is the user's, and is verified like any other.
 */
import {
  decisionsFor,
  registerTask,
  serviceTaskEvent,
  startScenario,
  taskArnOf,
  type Scenario,
  SETUP_TIMEOUT_MS,
  LEDGER_CALLS_PER_STOPPED_TASK,
  MEMORY_WRITES_PER_FINAL_DECISION,
} from '../support/e2e/scenario';
import { newTaskId, type PushedImage } from '../guard/support';

const SIDECAR = 'aws-guardduty-agent-FvWGoDU';
/** GuardDuty's agent reports a digest (of its image in GuardDuty's own ECR account) and no image. */
const SIDECAR_DIGEST = 'sha256:3e1b6a1f0d5c4b2a99887766554433221100ffeeddccbbaa0f1e2d3c4b5a6978';

let s: Scenario;
let signed: PushedImage;
let unsigned: PushedImage;

beforeAll(async () => {
  s = await startScenario();
  signed = await s.push('shop', '4.2');
  unsigned = await s.push('shop', 'dev', { signed: false });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

/**
 * A Fargate service task whose task definition declares only `declared`; an event container given
 * with `image: null` is reported the way ECS reports GuardDuty's agent: a digest and no image field.
 */
function fargateTask(
  family: string,
  declared: Array<{ name: string; image: string }>,
  containers: Array<{ name: string; image: string | null; imageDigest: string }>,
) {
  const taskDefinitionArn = `arn:aws:ecs:eu-west-1:111122223333:task-definition/${family}:12`;
  s.guard.ecs.taskDefinitions.set(taskDefinitionArn, { taskDefinitionArn, containers: declared });
  const event = serviceTaskEvent({
    taskId: newTaskId(),
    service: family,
    deploymentId: 'ecs-svc/2290016535716407781',
    taskDefinitionArn,
    launchType: 'FARGATE',
    lastStatus: 'RUNNING',
    containers: containers.map((c) => ({ ...c, image: c.image ?? 'placeholder' })),
  });
  const reported = (event.detail as { containers: Array<Record<string, unknown>> }).containers;
  containers.forEach((c, i) => {
    if (c.image === null) delete reported[i]!.image;
  });
  registerTask(s.guard.ecs, event);
  return event;
}

function counts() {
  return {
    stopTask: s.guard.ecs.callsOf('StopTask').length,
    publish: s.guard.sns.callsOf('Publish').length,
    ledger: s.guard.ledgerCalls().length,
  };
}

describe('a GuardDuty sidecar (no image, not in the task definition)', () => {
  it('beside a signed app: the task is allowed, the sidecar skipped', async () => {
    const event = fargateTask(
      'shop',
      [{ name: 'app', image: signed.image }],
      [
        { name: 'app', image: signed.image, imageDigest: signed.digest },
        { name: SIDECAR, image: null, imageDigest: SIDECAR_DIGEST },
      ],
    );
    const before = counts();
    const lp = await s.guard.startLambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    expect(counts()).toEqual({ ...before, ledger: before.ledger + MEMORY_WRITES_PER_FINAL_DECISION });
    expect(s.guard.ecs.callsOf('DescribeTaskDefinition').length).toBeGreaterThanOrEqual(1);
    const [record, ...more] = decisionsFor(taskArnOf(event), lp);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ action: 'none' });
    expect(record!.containers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'app', outcome: 'allow', digest: signed.digest }),
        expect.objectContaining({ name: SIDECAR, outcome: 'skip' }),
      ]),
    );
  }, 60_000);

  it('beside an unsigned app: the task is stopped once and alerted once, for the app', async () => {
    const event = fargateTask(
      'shop-dev',
      [{ name: 'app', image: unsigned.image }],
      [
        { name: 'app', image: unsigned.image, imageDigest: unsigned.digest },
        { name: SIDECAR, image: null, imageDigest: SIDECAR_DIGEST },
      ],
    );
    const before = counts();
    const lp = await s.guard.startLambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    const after = counts();
    expect(after.stopTask - before.stopTask).toBe(1);
    expect(s.guard.ecs.stopped.at(-1)).toMatchObject({ task: taskArnOf(event) });
    expect(after.publish - before.publish).toBe(1);
    expect(s.guard.sns.published.at(-1)!.message).not.toContain(SIDECAR);
    expect(after.ledger - before.ledger).toBe(
      LEDGER_CALLS_PER_STOPPED_TASK + MEMORY_WRITES_PER_FINAL_DECISION,
    );
    const [record] = decisionsFor(taskArnOf(event), lp);
    expect(record).toMatchObject({ action: 'stopped' });
    expect(record!.containers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'app', outcome: 'deny', digest: unsigned.digest }),
        expect.objectContaining({ name: SIDECAR, outcome: 'skip' }),
      ]),
    );
  }, 60_000);

  it("a container with the agent's name that the task definition declares is verified: unsigned, stopped", async () => {
    const event = fargateTask(
      'lookalike',
      [
        { name: 'app', image: signed.image },
        { name: SIDECAR, image: unsigned.image },
      ],
      [
        { name: 'app', image: signed.image, imageDigest: signed.digest },
        { name: SIDECAR, image: unsigned.image, imageDigest: unsigned.digest },
      ],
    );
    const before = counts();
    const lp = await s.guard.startLambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    expect(counts().stopTask - before.stopTask).toBe(1);
    expect(counts().publish - before.publish).toBe(1);
    const [record] = decisionsFor(taskArnOf(event), lp);
    expect(record!.containers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: SIDECAR, outcome: 'deny' })]),
    );
  }, 60_000);
});
