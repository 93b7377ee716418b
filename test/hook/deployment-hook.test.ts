/**
 * The deployment hook against a real registry (docker-registry on loopback, cosign-format signatures,
 * real ECDSA), with DescribeServiceRevisions, SNS Publish and KMS GetPublicKey through
 * aws-sdk-client-mock in the real APIs' shapes.
 */
import { DescribeServiceRevisionsCommand, ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ATTEMPTS_KEY, FIRST_ATTEMPT_KEY } from '../../lambda/hook/hook-answer';
import { ReasonCode } from '../../lambda/reasons';
import { startFaultProxy, startRegistry, type FaultProxy, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  answerKms,
  pushLegacySignatures,
  pushTestImage,
  type PushedImage,
} from '../guard/support';
import { buildHook, describedRevision, hookPayload, revisionArn, type RevisionImage } from './support';

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
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  answerKms(kms, ciKey);
});

function policy(
  options: { host?: string; mode?: 'enforce' | 'audit'; onError?: 'alert' | 'stop'; extra?: object } = {},
) {
  const host = options.host ?? registry.host;
  return {
    mode: options.mode ?? 'enforce',
    noMatch: 'deny',
    onError: options.onError ?? 'alert',
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [host] },
    ...options.extra,
  };
}

function revision(service: string, images: RevisionImage[], family?: string) {
  ecs
    .on(DescribeServiceRevisionsCommand)
    .resolves(describedRevision({ service, images, ...(family ? { family } : {}) }));
}

const describeCalls = () => ecs.commandCalls(DescribeServiceRevisionsCommand).map((c) => c.args[0].input);
const alerts = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

describe('a revision whose images are signed', () => {
  it('answers SUCCEEDED, records the decision and the approved digests, alerts nobody', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [{ containerName: 'app', image: signed.image, imageDigest: signed.digest }]);

    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));

    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(describeCalls()).toEqual([{ serviceRevisionArns: [revisionArn('web')] }]);
    expect(alerts()).toHaveLength(0);
    expect(record).toMatchObject({
      type: 'image-guard.decision',
      trigger: 'deployment-hook',
      hookStatus: 'SUCCEEDED',
      action: 'none',
      lifecycleStage: 'PRE_SCALE_UP',
      serviceRevisionArn: revisionArn('web'),
      serviceDeploymentArn: expect.stringContaining(':service-deployment/prod-eu/web/'),
      cluster: 'prod-eu',
      service: 'web',
      taskArn: null,
      problem: null,
      approved: ['app'],
      containers: [
        expect.objectContaining({
          name: 'app',
          outcome: 'allow',
          reason: ReasonCode.VERIFIED,
          digest: signed.digest,
          digestSource: 'serviceRevision',
        }),
      ],
    });
    expect(setup.records()).toEqual([record]);
    expect(await setup.approved.read(revisionArn('web'))).toEqual(
      new Map([['app', { digest: signed.digest, source: 'serviceRevision' }]]),
    );
  });

  it('takes the digest pinned in the image reference when the revision has none', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [{ containerName: 'app', image: `${signed.repository}@${signed.digest}` }]);
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response.hookStatus).toBe('SUCCEEDED');
    expect(record.containers[0]).toMatchObject({ digest: signed.digest, digestSource: 'reference' });
    expect((await setup.approved.read(revisionArn('web'))).get('app')).toEqual({
      digest: signed.digest,
      source: 'reference',
    });
  });
});

describe('a revision with an unsigned image', () => {
  it('enforce: answers FAILED and alerts with the service, revision, container, image, reason and what to do', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [
      { containerName: 'app', image: signed.image, imageDigest: signed.digest },
      { containerName: 'sidecar', image: unsigned.image, imageDigest: unsigned.digest },
    ]);

    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(record).toMatchObject({
      hookStatus: 'FAILED',
      action: 'refused',
      mode: 'enforce',
      approved: null,
      alert: { status: 'sent' },
    });
    expect(record.containers.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['app', 'allow', ReasonCode.VERIFIED],
      ['sidecar', 'deny', ReasonCode.NO_SIGNATURES],
    ]);
    expect(setup.approved.revisions.size).toBe(0);
    const sent = alerts();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Subject).toBe('[image-guard] Refused rollout in prod-eu/web: NO_SIGNATURES (sidecar)');
    const body = sent[0]!.Message!;
    for (const text of [
      'REFUSED this deployment',
      'Service:          web',
      `Service revision: ${revisionArn('web')}`,
      '- sidecar',
      `image:  ${unsigned.image}`,
      `digest: ${unsigned.digest}`,
      'result: deny NO_SIGNATURES (rule "team-apps")',
      'What to do:',
      `cosign sign --key awskms:///<your-key-alias> ${unsigned.image}@${unsigned.digest}`,
      `filter decisionId = "${record.decisionId}"`,
    ])
      expect(body).toContain(text);
    expect(body).not.toContain('- app\n');
    expect(sent[0]!.MessageAttributes).toMatchObject({
      action: { DataType: 'String', StringValue: 'refused' },
      service: { DataType: 'String', StringValue: 'web' },
      trigger: { DataType: 'String', StringValue: 'deployment-hook' },
    });
  });

  it('audit: answers SUCCEEDED and alerts that it would have refused', async () => {
    const setup = buildHook({ policy: policy({ mode: 'audit' }) });
    revision('web', [{ containerName: 'app', image: unsigned.image, imageDigest: unsigned.digest }]);
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(record).toMatchObject({
      action: 'alerted',
      mode: 'audit',
      alert: { status: 'sent' },
      hookReason: 'audit mode: the rollout would have been refused',
    });
    const sent = alerts();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Subject).toContain('Would have refused rollout in prod-eu/web');
    expect(sent[0]!.Message).toContain('AUDIT mode');
    // A denied container is never recorded as approved.
    expect(setup.approved.revisions.size).toBe(0);
  });
});

describe('cluster, service and family rules apply as for tasks', () => {
  const scoped = () =>
    policy({
      mode: 'audit',
      extra: {
        noMatch: 'allow',
        rules: [
          {
            name: 'payments',
            match: {
              clusters: ['prod-*'],
              services: ['payments-*'],
              taskDefinitionFamilies: ['pay-*'],
              images: [`${registry.host}/team/**`],
            },
            keys: ['ci'],
            mode: 'enforce',
          },
        ],
      },
    });

  it.each([
    ['the service, cluster and family match', 'payments-api', 'pay-api', 'FAILED', 'deny'],
    ['another service', 'search', 'pay-api', 'SUCCEEDED', 'allow'],
    ['another family', 'payments-api', 'search-app', 'SUCCEEDED', 'allow'],
  ])('%s', async (_name, service, family, status, outcome) => {
    const setup = buildHook({ policy: scoped() });
    revision(
      service,
      [{ containerName: 'app', image: unsigned.image, imageDigest: unsigned.digest }],
      family,
    );
    const { response, record } = await setup.hook.handle(hookPayload({ service }));
    expect(response.hookStatus).toBe(status);
    expect(record.containers[0]!.outcome).toBe(outcome);
  });
});

describe('a tag-only revision (no digest established yet)', () => {
  it('resolves the tag now, verifies that digest and records it as the approved one', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [{ containerName: 'app', image: signed.image }]);
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response.hookStatus).toBe('SUCCEEDED');
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      digest: signed.digest,
      digestSource: 'resolved',
    });
    expect((await setup.approved.read(revisionArn('web'))).get('app')).toEqual({
      digest: signed.digest,
      source: 'resolved',
    });
  });

  it('may fail the rollout on the resolved digest (unlike the event path, it is not "unconfirmed")', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [{ containerName: 'app', image: unsigned.image }]);
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response.hookStatus).toBe('FAILED');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      digestSource: 'resolved',
    });
  });
});

describe('the registry is down', () => {
  const down = () =>
    proxy.setPlan([{ fault: { type: 'status', status: 503, body: '{"errors":[{"code":"UNAVAILABLE"}]}' } }]);
  const viaProxy = (onError: 'alert' | 'stop') => policy({ host: proxy.host, onError });
  const image = () => ({
    containerName: 'app',
    image: `${proxy.host}/team/app:1.0`,
    imageDigest: signed.digest,
  });

  it('answers IN_PROGRESS with a call-back delay and its first attempt in hookDetails, then onError: alert after the bound', async () => {
    down();
    const setup = buildHook({ policy: viaProxy('alert') });
    revision('web', [image()]);
    const first = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(first.response).toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 30,
      hookDetails: { [FIRST_ATTEMPT_KEY]: '2026-11-30T07:00:00.000Z', [ATTEMPTS_KEY]: 1 },
    });
    expect(first.record).toMatchObject({
      hookStatus: 'IN_PROGRESS',
      attempt: 1,
      elapsedMs: 0,
      waitedOut: false,
      alert: null,
    });
    expect(first.record.containers[0]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
    });
    expect(alerts()).toHaveLength(0);

    // Still within the bound: asked again.
    setup.clock.now += 10 * 60_000;
    const second = await setup.hook.handle(
      hookPayload({ service: 'web', hookDetails: first.response.hookDetails! }),
    );
    expect(second.response).toMatchObject({
      hookStatus: 'IN_PROGRESS',
      hookDetails: { [FIRST_ATTEMPT_KEY]: '2026-11-30T07:00:00.000Z', [ATTEMPTS_KEY]: 2 },
    });
    expect(second.record).toMatchObject({ attempt: 2, elapsedMs: 10 * 60_000 });

    // 28 minutes in: another round (30 s + 60 s + 60 s margin) would pass the 30-minute timeout.
    setup.clock.now += 18 * 60_000;
    const last = await setup.hook.handle(
      hookPayload({ service: 'web', hookDetails: second.response.hookDetails! }),
    );
    expect(last.response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(last.record).toMatchObject({
      attempt: 3,
      waitedOut: true,
      action: 'alerted',
      alert: { status: 'sent' },
    });
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]!.Subject).toContain('Alert for rollout in prod-eu/web: REGISTRY_UNAVAILABLE (app)');
    expect(describeCalls()).toHaveLength(3);
    // No approval: nothing was verified.
    expect(setup.approved.revisions.size).toBe(0);
  });

  it('onError: stop answers FAILED once the bound is passed', async () => {
    down();
    const setup = buildHook({ policy: viaProxy('stop') });
    revision('web', [image()]);
    const first = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(first.response.hookStatus).toBe('IN_PROGRESS');
    setup.clock.now += 28 * 60_000;
    const last = await setup.hook.handle(
      hookPayload({ service: 'web', hookDetails: first.response.hookDetails! }),
    );
    expect(last.response).toEqual({ hookStatus: 'FAILED' });
    expect(last.record).toMatchObject({ waitedOut: true, action: 'refused' });
    expect(alerts()).toHaveLength(1);
  });

  it('an enforce-mode denial of another container fails the rollout at once, without waiting', async () => {
    const setup = buildHook({ policy: viaProxy('alert') });
    revision('web', [
      image(),
      { containerName: 'other', image: `${proxy.host}/team/app:unsigned`, imageDigest: unsigned.digest },
    ]);
    // Only the signed image's signature reads fail; the unsigned one is found to have none.
    proxy.setPlan([
      { match: { path: signed.digest.slice('sha256:'.length) }, fault: { type: 'status', status: 503 } },
    ]);
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(record.containers.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['app', 'error', ReasonCode.REGISTRY_UNAVAILABLE],
      ['other', 'deny', ReasonCode.NO_SIGNATURES],
    ]);
    expect(record.waitedOut).toBe(false);
  });
});

describe('ECS answers', () => {
  it('a throttled DescribeServiceRevisions is IN_PROGRESS; a revision ECS does not return is onError', async () => {
    const setup = buildHook({ policy: policy({ onError: 'stop' }) });
    ecs.on(DescribeServiceRevisionsCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const throttled = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(throttled.response.hookStatus).toBe('IN_PROGRESS');
    expect(throttled.record.problem).toMatchObject({ reason: ReasonCode.REVISION_UNAVAILABLE });

    ecs.reset();
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [],
      failures: [{ arn: revisionArn('web'), reason: 'MISSING' }],
    });
    const missing = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(missing.response).toEqual({ hookStatus: 'FAILED' });
    expect(missing.record.problem?.message).toContain('MISSING');
    expect(alerts()).toHaveLength(1);
  });

  it('onError: alert lets a revision that cannot be read through, with an alert', async () => {
    const setup = buildHook({ policy: policy({ onError: 'alert' }) });
    ecs.on(DescribeServiceRevisionsCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { response, record } = await setup.hook.handle(hookPayload({ service: 'web' }));
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(record).toMatchObject({ action: 'alerted', problem: { reason: ReasonCode.REVISION_UNAVAILABLE } });
    expect(alerts()[0]!.Subject).toContain('REVISION_UNAVAILABLE');
  });
});

describe('payloads the hook does not decide on', () => {
  it('another lifecycle stage: SUCCEEDED, recorded as not applicable, nothing read', async () => {
    const setup = buildHook({ policy: policy() });
    const { response, record } = await setup.hook.handle(
      hookPayload({ service: 'web', stage: 'POST_SCALE_UP' }),
    );
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(record).toMatchObject({
      hookStatus: 'SUCCEEDED',
      lifecycleStage: 'POST_SCALE_UP',
      problem: { reason: ReasonCode.EVENT_NOT_APPLICABLE },
    });
    expect(describeCalls()).toHaveLength(0);
    expect(setup.metrics.counts.EventsIgnored).toBe(1);
  });

  it.each([
    ['not an object', 'hello'],
    [
      'no revision ARN',
      {
        ...hookPayload({ service: 'web' }),
        executionDetails: { serviceArn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod-eu/web' },
      },
    ],
    [
      'a task ARN as the revision',
      {
        ...hookPayload({ service: 'web' }),
        executionDetails: {
          serviceArn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod-eu/web',
          targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/abc',
        },
      },
    ],
    ['hookDetails that are not JSON', { ...hookPayload({ service: 'web' }), hookDetails: '{not json' }],
  ])('an unparseable payload (%s): FAILED with a record, nothing read', async (_name, payload) => {
    const setup = buildHook({ policy: policy() });
    const { response, record } = await setup.hook.handle(payload);
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(record).toMatchObject({
      hookStatus: 'FAILED',
      action: 'refused',
      problem: { reason: ReasonCode.EVENT_INVALID },
    });
    expect(setup.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(describeCalls()).toHaveLength(0);
    expect(setup.metrics.counts.EventsInvalid).toBe(1);
  });

  it('a string hookDetails (CloudFormation writes JSON as a string) is read', async () => {
    const setup = buildHook({ policy: policy() });
    revision('web', [{ containerName: 'app', image: signed.image, imageDigest: signed.digest }]);
    setup.clock.now += 60_000;
    const { record } = await setup.hook.handle(
      hookPayload({
        service: 'web',
        hookDetails: JSON.stringify({
          [FIRST_ATTEMPT_KEY]: '2026-11-30T07:00:00.000Z',
          [ATTEMPTS_KEY]: 4,
        }) as never,
      }),
    );
    expect(record).toMatchObject({ attempt: 5, elapsedMs: 60_000 });
  });
});
