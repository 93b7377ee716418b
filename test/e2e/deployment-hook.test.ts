/**
 * The synthesized deployment hook asset (index.js from cdk.out, in a child Node process) answering
 * lifecycle hook payloads against the ECS fake's DescribeServiceRevisions, the real registry, SNS and
 * KMS fakes and dynalite; then the synthesized event function reading the hook's approval from the
 * same table for a task whose tag moved after the rollout was approved.
 */
import type { LambdaProcess } from '../support/e2e';
import { E2E_ACCOUNT, E2E_REGION, LAMBDA_ACCESS_KEY_ID } from '../support/e2e';
import { startHookE2E, type HookE2E } from '../support/e2e/hook-e2e';
import {
  KMS_KEY_ARN,
  SETUP_TIMEOUT_MS,
  enforcePolicyYaml,
  registerTask,
  serviceTaskEvent,
  taskArnOf,
} from '../support/e2e/scenario';
import { REGISTRY_PLACEHOLDER } from '../support/e2e/synth-cache';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import { newTaskId, pushLegacySignatures, pushTestImage, type PushedImage } from '../guard/support';

const CLUSTER_ARN = `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:cluster/prod-eu`;
const ciKey = generateTestKey('p256');
let registry: StartedRegistry;
let e2e: HookE2E;
let hook: LambdaProcess;

beforeAll(async () => {
  registry = await startRegistry();
  e2e = await startHookE2E({
    policyYaml: enforcePolicyYaml(REGISTRY_PLACEHOLDER),
    registryHost: registry.host,
    kmsKeys: { [KMS_KEY_ARN]: ciKey },
  });
  hook = await e2e.startHook();
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await e2e?.stop();
  await registry?.stop();
});

async function push(repo: string, tag: string, signed = true): Promise<PushedImage> {
  const image = await pushTestImage(registry, `team/${repo}`, tag);
  if (signed) await pushLegacySignatures(registry, image, [ciKey]);
  return image;
}

/** A service of the ECS fake whose target revision runs `images` (digests only when ECS established them). */
function addService(
  name: string,
  revisionId: string,
  images: Array<{ containerName: string; image: string; imageDigest?: string }>,
) {
  const taskDefinitionArn = `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:task-definition/${name}-app:1`;
  const service = {
    serviceArn: `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:service/prod-eu/${name}`,
    clusterArn: CLUSTER_ARN,
    deploymentId: `ecs-svc/${revisionId}`,
    serviceDeploymentArn: `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:service-deployment/prod-eu/${name}/${revisionId}`,
    serviceRevisionArn: `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:service-revision/prod-eu/${name}/${revisionId}`,
    taskDefinitionArn,
    containerImages: images,
  };
  e2e.ecs.services.set(name, service);
  e2e.ecs.taskDefinitions.set(taskDefinitionArn, {
    taskDefinitionArn,
    containers: images.map((i) => ({ name: i.containerName, image: i.image })),
  });
  return service;
}

/** The payload ECS sends the hook (lambda-lifecycle-hooks documentation, exact field names). */
function payloadFor(service: ReturnType<typeof addService>, stage = 'PRE_SCALE_UP') {
  return {
    executionId: 'e8d5a28f-2b9e-4c71-9e0a-6b0f4d3c2a11',
    lifecycleStage: stage,
    resourceArn: service.serviceDeploymentArn,
    executionDetails: {
      serviceArn: service.serviceArn,
      targetServiceRevisionArn: service.serviceRevisionArn,
      testTrafficWeights: {},
      productionTrafficWeights: {},
    },
  };
}

const counts = () => ({
  describe: e2e.ecs.callsOf('DescribeServiceRevisions', LAMBDA_ACCESS_KEY_ID).length,
  publish: e2e.sns.callsOf('Publish').length,
  putItem: e2e.dynamodb.callsBy(LAMBDA_ACCESS_KEY_ID).filter((c) => c === 'PutItem').length,
});

function hookRecords(lp: LambdaProcess, revisionArn: string) {
  return lp
    .records('image-guard.decision')
    .filter((r) => r.trigger === 'deployment-hook' && r.serviceRevisionArn === revisionArn);
}

it('the template wires the hook at PRE_SCALE_UP with a 30-minute ROLLBACK timeout', () => {
  expect(e2e.lifecycleHooks).toEqual([
    expect.objectContaining({
      LifecycleStages: ['PRE_SCALE_UP'],
      TimeoutConfiguration: { TimeoutInMinutes: 30, Action: 'ROLLBACK' },
    }),
  ]);
  expect(e2e.hookFn.environment).toMatchObject({ IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '1800' });
  expect(e2e.eventFn.environment).toMatchObject({ IMAGE_GUARD_APPROVED_DIGESTS: 'ledger' });
});

it('a tag-only signed revision: SUCCEEDED, one decision record, the approved digest written to the ledger table; a later task with another (unsigned) digest is stopped, its record says it differs', async () => {
  const approvedImage = await push('web', '1.0');
  const service = addService('web', '1870513641342596493', [
    { containerName: 'app', image: approvedImage.image },
  ]);
  const before = counts();

  expect(await hook.invoke(payloadFor(service))).toEqual({ ok: true, result: { hookStatus: 'SUCCEEDED' } });

  const after = counts();
  expect(after.describe - before.describe).toBe(1);
  expect(after.publish - before.publish).toBe(0);
  expect(after.putItem - before.putItem).toBe(1);
  expect(hookRecords(hook, service.serviceRevisionArn)).toEqual([
    expect.objectContaining({
      hookStatus: 'SUCCEEDED',
      approved: ['app'],
      containers: [
        expect.objectContaining({ outcome: 'allow', digest: approvedImage.digest, digestSource: 'resolved' }),
      ],
    }),
  ]);
  const item = (await e2e.dynamodb.items()).find(
    (i) => i.taskArn?.S === `revision#${service.serviceRevisionArn}`,
  );
  expect(item?.containers?.M?.app?.M).toEqual({
    digest: { S: approvedImage.digest },
    source: { S: 'resolved' },
  });
  expect(Number(item?.[e2e.dynamodb.ttlAttribute!]?.N)).toBeGreaterThan(Date.now() / 1000);

  // The tag moves to an unsigned image before the first task pulls it.
  const moved = await push('web', '1.0', false);
  const event = serviceTaskEvent({
    taskId: newTaskId(),
    service: 'web',
    deploymentId: service.deploymentId,
    taskDefinitionArn: service.taskDefinitionArn,
    containers: [{ name: 'app', image: approvedImage.image, imageDigest: moved.digest }],
  });
  registerTask(e2e.ecs, event);
  const eventFn = await e2e.startEventFunction();
  expect(await eventFn.invoke(event)).toEqual({ ok: true, result: undefined });
  expect(e2e.ecs.stopped.map((s) => s.task)).toContain(taskArnOf(event));
  expect(eventFn.records('image-guard.decision').filter((r) => r.taskArn === taskArnOf(event))).toEqual([
    expect.objectContaining({
      action: 'stopped',
      containers: [
        expect.objectContaining({
          outcome: 'deny',
          digest: moved.digest,
          approvedDigest: approvedImage.digest,
          digestDiffersFromApproved: true,
        }),
      ],
    }),
  ]);
}, 120_000);

it('an unsigned revision (digest established): FAILED, one alert naming service, revision and container; nothing approved', async () => {
  const unsigned = await push('api', '2.0', false);
  const service = addService('api', '5519207468823310447', [
    { containerName: 'api', image: unsigned.image, imageDigest: unsigned.digest },
  ]);
  const before = counts();
  expect(await hook.invoke(payloadFor(service))).toEqual({ ok: true, result: { hookStatus: 'FAILED' } });
  const after = counts();
  expect(after.publish - before.publish).toBe(1);
  expect(after.putItem - before.putItem).toBe(0);
  const alert = e2e.sns.published.at(-1)!;
  expect(alert.subject).toBe('[image-guard] Refused rollout in prod-eu/api: NO_SIGNATURES (api)');
  expect(alert.message).toContain(`Service revision: ${service.serviceRevisionArn}`);
  expect(hookRecords(hook, service.serviceRevisionArn)).toEqual([
    expect.objectContaining({ hookStatus: 'FAILED', action: 'refused', alert: { status: 'sent' } }),
  ]);
}, 60_000);

it('a payload it cannot read and a stage it does not decide: answered (FAILED, SUCCEEDED), never thrown, each recorded', async () => {
  const before = counts();
  const lines = hook.records('image-guard.decision').length;
  expect(await hook.invoke({ lifecycleStage: 'PRE_SCALE_UP' })).toEqual({
    ok: true,
    result: { hookStatus: 'FAILED' },
  });
  const service = addService('batch', '7', [{ containerName: 'job', image: `${registry.host}/team/job:1` }]);
  expect(await hook.invoke(payloadFor(service, 'POST_SCALE_UP'))).toEqual({
    ok: true,
    result: { hookStatus: 'SUCCEEDED' },
  });
  const records = hook.records('image-guard.decision').slice(lines);
  expect(records.map((r) => [r.hookStatus, (r.problem as { reason: string }).reason])).toEqual([
    ['FAILED', 'EVENT_INVALID'],
    ['SUCCEEDED', 'EVENT_NOT_APPLICABLE'],
  ]);
  expect(counts().describe - before.describe).toBe(0);
}, 60_000);
