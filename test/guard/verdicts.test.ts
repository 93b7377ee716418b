/**
 * Guard.handle end to end for the verdicts a task can get: a real docker-registry on loopback,
 * images signed with the cosign-format test signer, the KMS key served by a mocked GetPublicKey
 * (a real DER SPKI), StopTask and Publish through aws-sdk-client-mock.
 */
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { VerdictCache } from '../../lambda/cache/verdict-cache';
import type { DecisionRecord } from '../../lambda/decision/types';
import { ReasonCode } from '../../lambda/reasons';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey, type TestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  TOPIC_ARN,
  answerKms,
  buildGuard,
  newTaskId,
  pushBundleSignature,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type GuardSetup,
  type PushedImage,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

let registry: StartedRegistry;
let host: string;
const ciKey: TestKey = generateTestKey('p256');
const vendorKey: TestKey = generateTestKey('p256');
const strangerKey: TestKey = generateTestKey('p256');
const img = {} as Record<
  'signed' | 'unsigned' | 'wrongKey' | 'bundle' | 'copied' | 'secureCiOnly' | 'secureBoth' | 'other',
  PushedImage
>;

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  img.signed = await pushTestImage(registry, 'team/app', '1.0');
  await pushLegacySignatures(registry, img.signed, [ciKey]);
  img.unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
  img.wrongKey = await pushTestImage(registry, 'team/app', 'wrong-key');
  await pushLegacySignatures(registry, img.wrongKey, [strangerKey]);
  img.bundle = await pushTestImage(registry, 'team/bundled', '3.0');
  await pushBundleSignature(registry, img.bundle, ciKey);
  img.copied = await pushTestImage(registry, 'team/app', 'copied');
  // A valid signature by the trusted key, made for img.signed, stored as img.copied's signature.
  await pushLegacySignatures(registry, img.copied, [ciKey], { signedDigest: img.signed.digest });
  img.secureCiOnly = await pushTestImage(registry, 'secure/app', '1.0');
  await pushLegacySignatures(registry, img.secureCiOnly, [ciKey]);
  img.secureBoth = await pushTestImage(registry, 'secure/app', '2.0');
  await pushLegacySignatures(registry, img.secureBoth, [ciKey, vendorKey]);
  img.other = await pushTestImage(registry, 'other/tool', '1.0');
});

afterAll(async () => registry?.stop());

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  answerKms(kms, ciKey);
});

function policy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'enforce',
    noMatch: 'deny',
    onError: 'alert',
    keys: [
      { name: 'ci', kms: KMS_KEY_ARN },
      { name: 'vendor', publicKey: vendorKey.publicKeyPem },
    ],
    trustedImages: [{ image: `${host}/infra/log-router:*`, reason: 'platform log router' }],
    rules: [
      { name: 'team-apps', match: { images: [`${host}/team/**`] }, keys: ['ci'] },
      {
        name: 'secure-apps',
        match: { images: [`${host}/secure/**`] },
        keys: ['ci', 'vendor'],
        require: 'all',
      },
    ],
    registries: { insecure: [host] },
    ...overrides,
  };
}

function singleTask(image: PushedImage, extra: { taskId?: string; digest?: string | null } = {}) {
  const taskId = extra.taskId ?? newTaskId();
  const event = taskEvent({
    taskId,
    containers: [
      {
        name: 'api',
        image: image.image,
        imageDigest: extra.digest === undefined ? image.digest : extra.digest,
      },
    ],
  });
  return { event, taskId, taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/${taskId}` };
}

const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu';

async function decide(setup: GuardSetup, event: unknown): Promise<DecisionRecord> {
  const outcome = await setup.guard.handle(event);
  expect(outcome.kind).toBe('decision');
  const records = setup.logger.decisions();
  expect(records).toHaveLength(1);
  expect(outcome.record).toEqual(records[0]);
  return records[0] as DecisionRecord;
}

function stopInputs() {
  return ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
}
function publishInputs() {
  return sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
}
function attribute(input: ReturnType<typeof publishInputs>[number], name: string): string | undefined {
  return input.MessageAttributes?.[name]?.StringValue;
}

describe('Guard verdicts against a real registry', () => {
  it('allows a task whose image is signed by the KMS key (no StopTask, no alert)', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event, taskArn } = singleTask(img.signed);
    const record = await decide(setup, event);

    expect(record).toMatchObject({
      type: 'image-guard.decision',
      action: 'none',
      mode: 'enforce',
      cluster: 'prod-eu',
      service: 'payments-api',
      taskArn,
      lastStatus: 'PENDING',
      policySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(record.containers).toEqual([
      expect.objectContaining({
        name: 'api',
        image: img.signed.image,
        outcome: 'allow',
        reason: ReasonCode.VERIFIED,
        rule: 'team-apps',
        digest: img.signed.digest,
        digestSource: 'event',
        keys: ['ci'],
        signaturesFound: 1,
        cached: false,
      }),
    ]);
    expect(stopInputs()).toHaveLength(0);
    expect(publishInputs()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(1);
    expect(setup.metrics.counts).toEqual({ Verified: 1 });
    expect(setup.metrics.latencies).toHaveLength(1);
    expect(setup.metrics.flushes).toBe(1);
    expect(setup.engine.registry.stats.manifest).toBeGreaterThan(0);
  });

  it('stops and alerts once for an unsigned image in enforce mode', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event, taskArn } = singleTask(img.unsigned);
    const record = await decide(setup, event);

    expect(record.action).toBe('stopped');
    expect(record.mode).toBe('enforce');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      rule: 'team-apps',
      digest: img.unsigned.digest,
      digestSource: 'event',
      keys: [],
      signaturesFound: 0,
    });

    const stops = stopInputs();
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ cluster: CLUSTER_ARN, task: taskArn });
    const reason = stops[0]?.reason ?? '';
    expect(reason.length).toBeLessThanOrEqual(255);
    expect(reason).toContain('"api"');
    expect(reason).toContain(img.unsigned.image);
    expect(reason).toContain('NO_SIGNATURES');
    expect(reason).toContain(record.decisionId);

    const alerts = publishInputs();
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.TopicArn).toBe(TOPIC_ARN);
    expect(alert.Subject!.length).toBeLessThanOrEqual(100);
    expect(alert.Subject).toContain('Stopped task');
    expect(alert.Subject).toContain('NO_SIGNATURES');
    expect(attribute(alert, 'cluster')).toBe('prod-eu');
    expect(attribute(alert, 'outcome')).toBe('deny');
    expect(attribute(alert, 'mode')).toBe('enforce');
    expect(attribute(alert, 'reason')).toBe('NO_SIGNATURES');
    expect(attribute(alert, 'service')).toBe('payments-api');
    expect(alert.Message).toContain('STOPPED this task');
    expect(alert.Message).toContain(taskArn);
    expect(alert.Message).toContain(img.unsigned.image);
    expect(alert.Message).toContain(img.unsigned.digest);
    expect(alert.Message).toContain('rule "team-apps"');
    expect(alert.Message).toContain(record.decisionId);

    expect(setup.metrics.counts).toEqual({ Denied: 1, TasksStopped: 1, TasksAlerted: 1 });
  });

  it('denies SIGNATURE_INVALID when the only signature is by an untrusted key', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.wrongKey);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.SIGNATURE_INVALID,
      rule: 'team-apps',
      keys: [],
      signaturesFound: 1,
    });
    expect(stopInputs()[0]?.reason).toContain('SIGNATURE_INVALID');
    expect(publishInputs()).toHaveLength(1);
  });

  it('only alerts ("Would have stopped") in audit mode', async () => {
    const setup = buildGuard({ policy: policy({ mode: 'audit' }) });
    const { event } = singleTask(img.unsigned);
    const record = await decide(setup, event);
    expect(record).toMatchObject({ action: 'alerted', mode: 'audit' });
    expect(record.containers[0]).toMatchObject({ outcome: 'deny', reason: ReasonCode.NO_SIGNATURES });
    expect(stopInputs()).toHaveLength(0);
    const alerts = publishInputs();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Subject).toContain('Would have stopped');
    expect(alerts[0]!.Message).toContain('WOULD HAVE STOPPED');
    expect(attribute(alerts[0]!, 'mode')).toBe('audit');
    expect(attribute(alerts[0]!, 'outcome')).toBe('deny');
    expect(setup.metrics.counts).toEqual({ Denied: 1, TasksAlerted: 1 });
  });

  it('skips a trusted image without any registry request or key load', async () => {
    const setup = buildGuard({ policy: policy() });
    const image = `${host}/infra/log-router:2.0`; // never pushed: nothing may be asked
    const digest = `sha256:${'ab'.repeat(32)}`;
    const event = taskEvent({
      taskId: newTaskId(),
      containers: [{ name: 'log_router', image, imageDigest: digest }],
    });
    const record = await decide(setup, event);
    expect(record.action).toBe('none');
    expect(record.containers[0]).toMatchObject({
      outcome: 'skip',
      reason: ReasonCode.TRUSTED_IMAGE,
      rule: null,
      digest,
      digestSource: 'event',
      keys: [],
      signaturesFound: 0,
    });
    expect(setup.engine.registry.stats.total).toBe(0);
    expect(kms.calls()).toHaveLength(0);
    expect(stopInputs()).toHaveLength(0);
    expect(publishInputs()).toHaveLength(0);
    expect(setup.metrics.counts).toEqual({ Skipped: 1 });
    expect(setup.metrics.latencies).toHaveLength(0);
  });

  it('denies an image no rule matches under noMatch: deny, without asking the registry', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.other);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_MATCHING_RULE,
      rule: null,
      digest: img.other.digest,
    });
    expect(setup.engine.registry.stats.total).toBe(0);
    expect(stopInputs()[0]?.reason).toContain('NO_MATCHING_RULE');
    expect(publishInputs()).toHaveLength(1);
    expect(attribute(publishInputs()[0]!, 'reason')).toBe('NO_MATCHING_RULE');
  });

  it('allows an image no rule matches under noMatch: allow', async () => {
    const setup = buildGuard({ policy: policy({ noMatch: 'allow' }) });
    const { event } = singleTask(img.other);
    const record = await decide(setup, event);
    expect(record.action).toBe('none');
    expect(record.containers[0]).toMatchObject({ outcome: 'allow', reason: ReasonCode.NO_MATCHING_RULE });
    expect(stopInputs()).toHaveLength(0);
    expect(publishInputs()).toHaveLength(0);
    expect(setup.metrics.counts).toEqual({ Verified: 1 });
  });

  it('denies when one of two matching rules fails, naming the failing rule', async () => {
    const base = policy();
    const setup = buildGuard({
      policy: {
        ...base,
        rules: [
          ...(base.rules as unknown[]),
          // A team rule on top of the platform rule: payments services must also carry the vendor signature.
          {
            name: 'payments-vendor',
            match: { clusters: ['prod-*'], services: ['payments-*'] },
            keys: ['vendor'],
          },
        ],
      },
    });
    const { event } = singleTask(img.signed); // signed by ci only
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.SIGNATURE_INVALID,
      rule: 'payments-vendor',
      keys: ['ci'],
      signaturesFound: 1,
    });
    expect(record.containers[0]?.message).toContain('payments-vendor');
    expect(publishInputs()[0]!.Message).toContain('rule "payments-vendor"');
  });

  it('stops a three-container task once, naming the one container that fails', async () => {
    const setup = buildGuard({ policy: policy() });
    const taskId = newTaskId();
    const event = taskEvent({
      fixture: 'ec2-multi-container-running',
      taskId,
      containers: [
        { name: 'web', image: img.signed.image, imageDigest: img.signed.digest },
        {
          name: 'log_router',
          image: `${host}/infra/log-router:stable`,
          imageDigest: `sha256:${'cd'.repeat(32)}`,
        },
        { name: 'metrics', image: img.unsigned.image, imageDigest: img.unsigned.digest },
      ],
    });
    const record = await decide(setup, event);
    expect(record).toMatchObject({ action: 'stopped', service: 'web-frontend', lastStatus: 'RUNNING' });
    expect(record.containers.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['web', 'allow', ReasonCode.VERIFIED],
      ['log_router', 'skip', ReasonCode.TRUSTED_IMAGE],
      ['metrics', 'deny', ReasonCode.NO_SIGNATURES],
    ]);
    const stops = stopInputs();
    expect(stops).toHaveLength(1);
    expect(stops[0]?.task).toBe(`arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/${taskId}`);
    expect(stops[0]?.reason).toContain('"metrics"');
    expect(stops[0]?.reason).toContain(img.unsigned.image);
    expect(stops[0]?.reason).not.toContain('"web"');
    const alerts = publishInputs();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Subject).toContain('(metrics)');
    expect(alerts[0]!.Message).toContain('- metrics');
    expect(alerts[0]!.Message).not.toContain('- web');
    expect(setup.metrics.counts).toEqual({
      Verified: 1,
      Skipped: 1,
      Denied: 1,
      TasksStopped: 1,
      TasksAlerted: 1,
    });
  });

  it('resolves the tag once when the event has no digest, and verifies that digest', async () => {
    const setup = buildGuard({ policy: policy() });
    const taskId = newTaskId();
    const event = taskEvent({
      fixture: 'ec2-runtask-pending-no-digest',
      cluster: 'batch',
      taskId,
      containers: [{ image: img.signed.image }],
    });
    const record = await decide(setup, event);
    expect(record).toMatchObject({ action: 'none', cluster: 'batch', service: null });
    expect(record.containers[0]).toMatchObject({
      name: 'job',
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      digest: img.signed.digest,
      digestSource: 'resolved',
    });
    expect(stopInputs()).toHaveLength(0);
  });

  it('never stops on a digest it resolved itself: DIGEST_UNCONFIRMED, alerted, decided again later', async () => {
    const setup = buildGuard({ policy: policy() });
    const taskId = newTaskId();
    const event = taskEvent({
      fixture: 'ec2-runtask-pending-no-digest',
      cluster: 'batch',
      taskId,
      containers: [{ image: img.unsigned.image }],
    });
    const record = await decide(setup, event);
    expect(record.action).toBe('alerted');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.DIGEST_UNCONFIRMED,
      digest: img.unsigned.digest,
      digestSource: 'resolved',
    });
    expect(record.containers[0]?.message).toMatch(/^unconfirmed: NO_SIGNATURES/);
    expect(stopInputs()).toHaveLength(0);
    expect(publishInputs()).toHaveLength(1);

    // The next event carries the digest ECS pulled: decided again (not ALREADY_DECIDED), now stopped,
    // and its alert still goes out (the unconfirmed alert did not use up the task's alert).
    const running = taskEvent({
      fixture: 'ec2-runtask-pending-no-digest',
      cluster: 'batch',
      taskId,
      lastStatus: 'RUNNING',
      version: 3,
      containers: [{ image: img.unsigned.image, imageDigest: img.unsigned.digest }],
    });
    const outcome = await setup.guard.handle(running);
    expect(outcome.record).toMatchObject({
      type: 'image-guard.decision',
      action: 'stopped',
      containers: [expect.objectContaining({ reason: ReasonCode.NO_SIGNATURES, digestSource: 'event' })],
    });
    expect(stopInputs()).toHaveLength(1);
    expect(publishInputs()).toHaveLength(2);
  });

  it('denies REQUIRED_KEYS_MISSING under require: all when one key has not signed', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.secureCiOnly);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.REQUIRED_KEYS_MISSING,
      rule: 'secure-apps',
      keys: ['ci'],
      signaturesFound: 1,
    });
    expect(record.containers[0]?.message).toContain('missing: vendor');
    expect(stopInputs()[0]?.reason).toContain('REQUIRED_KEYS_MISSING');
  });

  it('allows under require: all when every key has signed (KMS and PEM)', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.secureBoth);
    const record = await decide(setup, event);
    expect(record.action).toBe('none');
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      rule: 'secure-apps',
      keys: ['ci', 'vendor'],
      signaturesFound: 2,
    });
  });

  it('allows an image signed with a cosign v3 bundle found through the referrers tag', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.bundle);
    const record = await decide(setup, event);
    expect(record.action).toBe('none');
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      keys: ['ci'],
      signaturesFound: 1,
      digest: img.bundle.digest,
    });
    expect(setup.engine.registry.stats.blob).toBeGreaterThan(0);
  });

  it('denies DIGEST_MISMATCH for a valid signature copied from another image', async () => {
    const setup = buildGuard({ policy: policy() });
    const { event } = singleTask(img.copied);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.DIGEST_MISMATCH,
      keys: [],
      signaturesFound: 1,
    });
    expect(record.containers[0]?.message).toContain(img.signed.digest);
    expect(stopInputs()[0]?.reason).toContain('DIGEST_MISMATCH');
    expect(publishInputs()[0]!.Message).toContain('different image digest');
  });

  it('stops without publishing when no topic is configured', async () => {
    const setup = buildGuard({ policy: policy(), topicArn: null });
    const { event } = singleTask(img.unsigned);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(stopInputs()).toHaveLength(1);
    expect(publishInputs()).toHaveLength(0);
    expect(setup.metrics.counts).toEqual({ Denied: 1, TasksStopped: 1 });
  });
});

describe('Guard details', () => {
  it('reuses a positive verdict from the verdict cache (cached: true, no registry request)', async () => {
    const setup = buildGuard({ policy: policy(), cache: new VerdictCache() });
    const first = await decide(setup, singleTask(img.signed).event);
    const requests = setup.engine.registry.stats.total;
    expect(first.containers[0]).toMatchObject({ outcome: 'allow', cached: false });

    const outcome = await setup.guard.handle(singleTask(img.signed).event);
    expect(outcome.kind).toBe('decision');
    const second = outcome.record as DecisionRecord;
    expect(second.containers[0]).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      cached: true,
    });
    expect(setup.engine.registry.stats.total).toBe(requests);
    expect(setup.metrics.counts).toEqual({ Verified: 2 });
    expect(setup.metrics.latencies).toHaveLength(1); // a cached verdict is not a verification
  });

  it('keeps the StopTask reason within 255 and the subject within 100 characters for very long names', async () => {
    const setup = buildGuard({ policy: policy() });
    const cluster = `prod-${'c'.repeat(200)}`;
    const taskId = newTaskId();
    const image = `${host}/other/${'deep/'.repeat(40)}tool:1.0-final`;
    const event = taskEvent({
      cluster,
      taskId,
      containers: [{ name: `api-${'n'.repeat(200)}`, image, imageDigest: img.other.digest }],
    });
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    const stop = stopInputs()[0]!;
    expect(stop.cluster).toBe(`arn:aws:ecs:eu-west-1:111122223333:cluster/${cluster}`);
    expect(stop.task).toContain(taskId);
    expect(stop.reason!.length).toBeLessThanOrEqual(255);
    expect(stop.reason).toContain('NO_MATCHING_RULE');
    expect(stop.reason).toContain('"api-n');
    expect(stop.reason).toContain(host); // both ends of the image survive the cut
    expect(stop.reason).toContain('tool:1.0-final');
    expect(stop.reason).toContain(record.decisionId);
    const alert = publishInputs()[0]!;
    expect(alert.Subject!.length).toBeLessThanOrEqual(100);
    expect(alert.Subject).toMatch(/^\[image-guard\] Stopped task/);
    expect(alert.Message).toContain(image); // the body names the full image
  });
});

describe('Guard against a registry over TLS', () => {
  let tls: StartedRegistry;
  let signedTls: PushedImage;
  beforeAll(async () => {
    tls = await startRegistry({ tls: true });
    signedTls = await pushTestImage(tls, 'team/app', '1.0');
    await pushLegacySignatures(tls, signedTls, [ciKey]);
  });
  afterAll(async () => tls?.stop());

  it('verifies over HTTPS with the registry CA (no insecure registries)', async () => {
    const base = policy();
    const setup = buildGuard({
      policy: {
        ...base,
        rules: [{ name: 'tls-apps', match: { images: [`${tls.host}/team/**`] }, keys: ['ci'] }],
        registries: { insecure: [] },
      },
      registry: { caPem: tls.caPem },
    });
    expect(setup.policy.registries.insecure).toEqual([]);
    const record = await decide(setup, singleTask(signedTls).event);
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      rule: 'tls-apps',
      digest: signedTls.digest,
      keys: ['ci'],
    });
    expect(stopInputs()).toHaveLength(0);
  });
});
