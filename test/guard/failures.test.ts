/**
 * Verifications that cannot complete: a registry that answers 503, a registry that is gone, a
 * verification that outlives its deadline, a throttled KMS. Each is outcome `error` (never a pass),
 * and `onError` decides: alert → SNS only, stop → StopTask (enforce rules only).
 */
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetPublicKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DecisionRecord } from '../../lambda/decision/types';
import { ReasonCode } from '../../lambda/reasons';
import { startFaultProxy, startRegistry, type FaultProxy, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  answerKms,
  buildGuard,
  newTaskId,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type GuardSetup,
  type PushedImage,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

const ciKey = generateTestKey('p256');
let registry: StartedRegistry;
let proxy: FaultProxy;
let signed: PushedImage;
let unsigned: PushedImage;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  signed = await pushTestImage(registry, 'team/app', '1.0');
  await pushLegacySignatures(registry, signed, [ciKey]);
  unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  proxy.setPlan([]);
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  answerKms(kms, ciKey);
});

/** The policy, with images reached through `host` (the registry itself, the fault proxy, or a dead port). */
function policy(host: string, onError: 'alert' | 'stop', mode: 'enforce' | 'audit' = 'enforce') {
  return {
    mode,
    noMatch: 'deny',
    onError,
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [host] },
  };
}

/** An event naming `image` as if pulled from `host` (same repository and digest, another registry host). */
function eventVia(host: string, image: PushedImage, taskId = newTaskId()) {
  return taskEvent({
    taskId,
    containers: [{ name: 'api', image: `${host}/${image.repo}:${image.tag}`, imageDigest: image.digest }],
  });
}

async function decide(setup: GuardSetup, event: unknown): Promise<DecisionRecord> {
  const outcome = await setup.guard.handle(event);
  if (outcome.kind !== 'decision')
    throw new Error(`expected a decision, got ${JSON.stringify(outcome.record)}`);
  return outcome.record;
}

const stops = () => ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
const alerts = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

describe('registry unavailable', () => {
  it('is an error, and onError: alert only publishes', async () => {
    proxy.setPlan([{ fault: { type: 'status', status: 503, body: '{"errors":[{"code":"UNAVAILABLE"}]}' } }]);
    const setup = buildGuard({ policy: policy(proxy.host, 'alert') });
    const record = await decide(setup, eventVia(proxy.host, signed));

    expect(record.action).toBe('alerted');
    expect(record.mode).toBe('enforce');
    expect(record.containers[0]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
      rule: 'team-apps',
      digest: signed.digest,
      keys: [],
    });
    expect(record.containers[0]?.message).toContain('503');
    expect(proxy.applied()[0]).toBeGreaterThan(0);
    expect(setup.engine.registry.stats.retries).toBeGreaterThan(0);
    expect(stops()).toHaveLength(0);
    const sent = alerts();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Subject!.length).toBeLessThanOrEqual(100);
    expect(sent[0]!.Subject).toContain('REGISTRY_UNAVAILABLE');
    expect(sent[0]!.MessageAttributes?.outcome?.StringValue).toBe('error');
    expect(sent[0]!.MessageAttributes?.action?.StringValue).toBe('alerted');
    expect(sent[0]!.Message).toContain('onError: alert');
    expect(setup.metrics.counts).toEqual({ Errors: 1, TasksAlerted: 1 });
  });

  it('is an error, and onError: stop stops the task', async () => {
    proxy.setPlan([{ fault: { type: 'status', status: 503 } }]);
    const setup = buildGuard({ policy: policy(proxy.host, 'stop') });
    const taskId = newTaskId();
    const record = await decide(setup, eventVia(proxy.host, signed, taskId));

    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({ outcome: 'error', reason: ReasonCode.REGISTRY_UNAVAILABLE });
    expect(stops()).toHaveLength(1);
    expect(stops()[0]?.task).toContain(taskId);
    expect(stops()[0]?.reason).toContain('REGISTRY_UNAVAILABLE');
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]!.MessageAttributes?.outcome?.StringValue).toBe('error');
  });

  it('never stops under onError: stop when the failing rule is in audit mode', async () => {
    proxy.setPlan([{ fault: { type: 'status', status: 503 } }]);
    const setup = buildGuard({ policy: policy(proxy.host, 'stop', 'audit') });
    const record = await decide(setup, eventVia(proxy.host, signed));
    expect(record).toMatchObject({ action: 'alerted', mode: 'audit' });
    expect(stops()).toHaveLength(0);
    expect(alerts()).toHaveLength(1);
    // Nothing was denied: the alert must not claim the task would have been stopped.
    const alert = alerts()[0]!;
    expect(alert.Subject).toContain('Alert for task');
    expect(alert.Subject).toContain('REGISTRY_UNAVAILABLE');
    expect(alert.Message).not.toMatch(/WOULD HAVE STOPPED/);
    expect(alert.Message).toMatch(/could not verify this task/);
    expect(alert.MessageAttributes?.outcome?.StringValue).toBe('error');
  });

  it('is an error when the registry does not answer at all (process gone)', async () => {
    const gone = await startRegistry();
    const image = await pushTestImage(gone, 'team/app', '1.0');
    await gone.stop();
    const setup = buildGuard({ policy: policy(gone.host, 'alert') });
    const record = await decide(setup, eventVia(gone.host, image));
    expect(record.action).toBe('alerted');
    expect(record.containers[0]).toMatchObject({ outcome: 'error', reason: ReasonCode.REGISTRY_UNAVAILABLE });
    expect(stops()).toHaveLength(0);
    expect(alerts()).toHaveLength(1);
  });

  it('cannot resolve a tag while the registry is down: error, no digest; resolved after recovery', async () => {
    proxy.setPlan([{ fault: { type: 'status', status: 503 } }]);
    const setup = buildGuard({ policy: policy(proxy.host, 'alert') });
    const event = taskEvent({
      fixture: 'ec2-runtask-pending-no-digest',
      cluster: 'batch',
      taskId: newTaskId(),
      containers: [{ image: `${proxy.host}/${signed.repo}:${signed.tag}` }],
    });
    const record = await decide(setup, event);
    expect(record.containers[0]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
      digest: null,
      digestSource: null,
    });
    expect(record.action).toBe('alerted');

    // The same event after the registry recovered: resolved and verified this time, not ALREADY_DECIDED.
    proxy.setPlan([]);
    const again = await decide(setup, structuredClone(event));
    expect(again.containers[0]).toMatchObject({
      outcome: 'allow',
      digest: signed.digest,
      digestSource: 'resolved',
    });
    expect(again.action).toBe('none');
  });

  it('decides again when the same task arrives after the registry recovered', async () => {
    proxy.setPlan([{ fault: { type: 'status', status: 503 } }]);
    const setup = buildGuard({ policy: policy(proxy.host, 'alert') });
    const taskId = newTaskId();
    const first = await decide(setup, eventVia(proxy.host, unsigned, taskId));
    expect(first.containers[0]?.outcome).toBe('error');
    expect(first.action).toBe('alerted');

    // The registry is back; the RUNNING event of the same task must be verified, not skipped.
    proxy.setPlan([]);
    const running = taskEvent({
      taskId,
      lastStatus: 'RUNNING',
      version: 3,
      containers: [
        {
          name: 'api',
          image: `${proxy.host}/${unsigned.repo}:${unsigned.tag}`,
          imageDigest: unsigned.digest,
        },
      ],
    });
    const second = await decide(setup, running);
    expect(second.containers[0]).toMatchObject({ outcome: 'deny', reason: ReasonCode.NO_SIGNATURES });
    expect(second.action).toBe('stopped');
    expect(stops()).toHaveLength(1);
    // Alerted at most once per task: the first (error) alert already went out.
    expect(alerts()).toHaveLength(1);
  });

  it('is an error (TIMEOUT), never a pass, when verification outlives its deadline', async () => {
    // Slow enough to miss the deadline, short enough that the proxy's timer is gone when the suite ends.
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'delay-headers', ms: 700 } }]);
    const setup = buildGuard({
      policy: policy(proxy.host, 'alert'),
      verifyDeadlineMs: 150,
      registry: { requestTimeoutMs: 5000 }, // the deadline, not the request timeout, ends it
    });
    const record = await decide(setup, eventVia(proxy.host, signed));
    expect(record.containers[0]).toMatchObject({ outcome: 'error', reason: ReasonCode.TIMEOUT });
    expect(record.action).toBe('alerted');
  });
});

describe('the invocation deadline', () => {
  it('ends verification at the deadline the handler passes (time left in the invocation), never a pass', async () => {
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'delay-headers', ms: 700 } }]);
    const setup = buildGuard({
      policy: policy(proxy.host, 'alert'),
      verifyDeadlineMs: 60_000, // the configured deadline is far away: the invocation's one ends it
      registry: { requestTimeoutMs: 5000 },
    });
    const outcome = await setup.guard.handle(eventVia(proxy.host, signed), { deadlineMs: 150 });
    expect(outcome.record).toMatchObject({
      type: 'image-guard.decision',
      action: 'alerted',
      containers: [expect.objectContaining({ outcome: 'error', reason: ReasonCode.TIMEOUT })],
    });
  });
});

describe('KMS unavailable', () => {
  const throttling = () =>
    new KMSServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'kms-req-2', attempts: 3, totalRetryDelay: 120 },
      message: 'Rate exceeded',
    });

  it('is KEY_UNAVAILABLE (error) under throttling; onError: alert publishes, and a redelivery after recovery verifies', async () => {
    kms.reset();
    kms.on(GetPublicKeyCommand).rejects(throttling());
    const setup = buildGuard({ policy: policy(registry.host, 'alert') });
    const taskId = newTaskId();
    const record = await decide(setup, eventVia(registry.host, signed, taskId));

    expect(record.action).toBe('alerted');
    expect(record.containers[0]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.KEY_UNAVAILABLE,
      rule: 'team-apps',
      keys: [],
    });
    expect(record.containers[0]?.message).toContain('ThrottlingException');
    expect(setup.engine.registry.stats.total).toBe(0); // no key, nothing to verify with
    expect(stops()).toHaveLength(0);
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]!.MessageAttributes?.reason?.StringValue).toBe('KEY_UNAVAILABLE');
    expect(kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input.KeyId).toBe(KMS_KEY_ARN);

    // Throttling clears up (retryable): the redelivered event is verified this time.
    kms.reset();
    answerKms(kms, ciKey);
    const retried = await decide(setup, eventVia(registry.host, signed, taskId));
    expect(retried.containers[0]).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      keys: ['ci'],
    });
    expect(retried.action).toBe('none');
  });

  it('under onError: stop stops the task', async () => {
    kms.reset();
    kms.on(GetPublicKeyCommand).rejects(throttling());
    const setup = buildGuard({ policy: policy(registry.host, 'stop') });
    const record = await decide(setup, eventVia(registry.host, signed));
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({ outcome: 'error', reason: ReasonCode.KEY_UNAVAILABLE });
    expect(stops()).toHaveLength(1);
    expect(stops()[0]?.reason).toContain('KEY_UNAVAILABLE');
    expect(alerts()).toHaveLength(1);
  });
});
