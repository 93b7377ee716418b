/**
 * An event without a digest (a Fargate task still PENDING) while the image's tag now points at other
 * content than when the service revision was created. ECS runs the revision's digest (version
 * consistency), so that digest is what the guard must verify, not what the tag resolves to now:
 * a signed revision whose tag was since moved to an unsigned image runs (allowed); an unsigned
 * revision whose tag was since moved to a signed image is stopped.
 */
import type { EcsFake } from '../support/e2e';
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

const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu';
/** Operations of the ECS fake: anything else the guard calls is answered UnknownOperationException. */
const IMPLEMENTED = new Set([
  'StopTask',
  'DescribeTasks',
  'DescribeTaskDefinition',
  'DescribeServices',
  'ListServiceDeployments',
  'DescribeServiceDeployments',
  'DescribeServiceRevisions',
]);

let s: Scenario;

beforeAll(async () => {
  s = await startScenario();
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

interface Service {
  name: string;
  deploymentId: string;
  taskDefinitionArn: string;
  image: string;
}

/** A service whose current revision runs `revisionImage`'s digest for container `web`, under tag `tag`. */
function addService(ecs: EcsFake, name: string, revisionImage: PushedImage, revisionId: string): Service {
  const taskDefinitionArn = `arn:aws:ecs:eu-west-1:111122223333:task-definition/${name}:3`;
  const deploymentId = `ecs-svc/${revisionId}`;
  ecs.taskDefinitions.set(taskDefinitionArn, {
    taskDefinitionArn,
    containers: [{ name: 'web', image: revisionImage.image }],
  });
  ecs.services.set(name, {
    serviceArn: `arn:aws:ecs:eu-west-1:111122223333:service/prod-eu/${name}`,
    clusterArn: CLUSTER_ARN,
    deploymentId,
    serviceDeploymentArn: `arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod-eu/${name}/${revisionId}`,
    serviceRevisionArn: `arn:aws:ecs:eu-west-1:111122223333:service-revision/prod-eu/${name}/${revisionId}`,
    taskDefinitionArn,
    containerImages: [
      { containerName: 'web', image: revisionImage.image, imageDigest: revisionImage.digest },
    ],
  });
  return { name, deploymentId, taskDefinitionArn, image: revisionImage.image };
}

/** The task's first event: PENDING, no digest yet; DescribeTasks has none either. */
function pendingTaskEvent(service: Service) {
  const event = serviceTaskEvent({
    taskId: newTaskId(),
    service: service.name,
    deploymentId: service.deploymentId,
    taskDefinitionArn: service.taskDefinitionArn,
    launchType: 'FARGATE',
    lastStatus: 'PENDING',
    containers: [{ name: 'web', image: service.image, imageDigest: null }],
  });
  registerTask(s.guard.ecs, event, { withDigests: false });
  return event;
}

function counts() {
  return {
    stopTask: s.guard.ecs.callsOf('StopTask').length,
    publish: s.guard.sns.callsOf('Publish').length,
    ledger: s.guard.ledgerCalls().length,
    revisions: s.guard.ecs.callsOf('DescribeServiceRevisions').length,
  };
}

describe('an event without a digest, the tag moved since the revision was created', () => {
  it('verifies the signed revision digest (not the unsigned image the tag names now): allowed', async () => {
    const revisionImage = await s.push('web', '1.0');
    const retagged = await s.push('web', '1.0', { signed: false });
    expect(retagged.digest).not.toBe(revisionImage.digest);
    const service = addService(s.guard.ecs, 'web', revisionImage, '1870513641342596493');
    const event = pendingTaskEvent(service);

    const before = counts();
    const lp = await s.guard.startLambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    const after = counts();
    expect(after.stopTask - before.stopTask).toBe(0);
    expect(after.publish - before.publish).toBe(0);
    expect(after.ledger - before.ledger).toBe(MEMORY_WRITES_PER_FINAL_DECISION);
    expect(after.revisions - before.revisions).toBeGreaterThanOrEqual(1);
    expect(decisionsFor(taskArnOf(event), lp)).toEqual([
      expect.objectContaining({
        action: 'none',
        containers: [
          expect.objectContaining({
            name: 'web',
            outcome: 'allow',
            digest: revisionImage.digest,
            digestSource: 'serviceRevision',
          }),
        ],
      }),
    ]);
    expect(s.guard.ecs.calls.filter((c) => !IMPLEMENTED.has(c.operation))).toEqual([]);
  }, 60_000);

  it('verifies the unsigned revision digest (not the signed image the tag names now): stopped once, alerted once', async () => {
    const revisionImage = await s.push('api', '2.0', { signed: false });
    const retagged = await s.push('api', '2.0');
    expect(retagged.digest).not.toBe(revisionImage.digest);
    const service = addService(s.guard.ecs, 'api', revisionImage, '5519207468823310447');
    const event = pendingTaskEvent(service);

    const before = counts();
    const lp = await s.guard.startLambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    const after = counts();
    expect(after.stopTask - before.stopTask).toBe(1);
    expect(s.guard.ecs.stopped.at(-1)).toMatchObject({ task: taskArnOf(event) });
    expect(after.publish - before.publish).toBe(1);
    expect(s.guard.sns.published.at(-1)!.message).toContain(revisionImage.digest);
    expect(after.ledger - before.ledger).toBe(
      LEDGER_CALLS_PER_STOPPED_TASK + MEMORY_WRITES_PER_FINAL_DECISION,
    );
    expect(decisionsFor(taskArnOf(event), lp)).toEqual([
      expect.objectContaining({
        action: 'stopped',
        containers: [
          expect.objectContaining({
            name: 'web',
            outcome: 'deny',
            digest: revisionImage.digest,
            digestSource: 'serviceRevision',
          }),
        ],
      }),
    ]);
    expect(s.guard.ecs.calls.filter((c) => !IMPLEMENTED.has(c.operation))).toEqual([]);
  }, 60_000);
});
