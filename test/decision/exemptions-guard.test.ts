/**
 * Exemptions end to end through Guard.handle: a real docker-registry on loopback, images signed with
 * the cosign-format test signer, the KMS key served by a mocked GetPublicKey (real DER SPKI), StopTask
 * and Publish through aws-sdk-client-mock. An exempted container is allowed (EXEMPTED) and the use is
 * alerted once per task and group; an expired exemption is ignored and said so; a look-alike digest,
 * another repository or another cluster is not exempted.
 */
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DecisionRecord } from '../../lambda/decision/types';
import { ReasonCode } from '../../lambda/reasons';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey, type TestKey } from '../support/signer';
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
} from '../guard/support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

let registry: StartedRegistry;
let host: string;
const ciKey: TestKey = generateTestKey('p256');
const img = {} as Record<'signed' | 'unsigned' | 'unsignedOther', PushedImage>;

const IN_TWO_DAYS = () => new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
const LONG_AGO = '2020-01-01T00:00:00Z';

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  img.signed = await pushTestImage(registry, 'team/app', '1.0');
  await pushLegacySignatures(registry, img.signed, [ciKey]);
  img.unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
  img.unsignedOther = await pushTestImage(registry, 'team/tool', 'unsigned');
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

function policy(exemptions: unknown[], mode: 'enforce' | 'audit' = 'enforce'): Record<string, unknown> {
  return {
    mode,
    noMatch: 'deny',
    onError: 'alert',
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [host] },
    exemptions,
  };
}

function imageExemption(image: string, overrides: Record<string, unknown> = {}) {
  return {
    image,
    clusters: ['prod-eu'],
    until: IN_TWO_DAYS(),
    reason: 'signing pipeline down during incident',
    ticket: 'SEC-4471',
    ...overrides,
  };
}

function task(image: PushedImage, options: { cluster?: string; service?: string; runTask?: boolean } = {}) {
  const taskId = newTaskId();
  const cluster = options.cluster ?? 'prod-eu';
  const event = taskEvent({
    taskId,
    cluster,
    ...(options.runTask ? { fixture: 'ec2-runtask-pending-no-digest' as const } : {}),
    ...(options.service !== undefined ? { service: options.service } : {}),
    containers: [{ name: 'api', image: image.image, imageDigest: image.digest }],
  });
  return { event, taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/${cluster}/${taskId}` };
}

async function decide(setup: GuardSetup, event: unknown): Promise<DecisionRecord> {
  const outcome = await setup.guard.handle(event);
  expect(outcome.kind).toBe('decision');
  return outcome.record as DecisionRecord;
}

const stops = () => ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
const publishes = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const attr = (input: ReturnType<typeof publishes>[number], name: string) =>
  input.MessageAttributes?.[name]?.StringValue;

describe('an exemption that is used', () => {
  it('allows an unsigned image in enforce mode as EXEMPTED, records the exemption and alerts its use', async () => {
    const until = IN_TWO_DAYS();
    const setup = buildGuard({
      policy: policy([imageExemption(`${img.unsigned.repository}@${img.unsigned.digest}`, { until })]),
    });
    const { event, taskArn } = task(img.unsigned);
    const record = await decide(setup, event);

    expect(stops()).toEqual([]);
    expect(record.action).toBe('alerted');
    expect(record.containers[0]).toMatchObject({
      name: 'api',
      outcome: 'allow',
      reason: ReasonCode.EXEMPTED,
      digest: img.unsigned.digest,
      rule: 'team-apps',
      signaturesFound: 0,
      alertGroup: expect.stringMatching(/^group#[0-9a-f]{32}$/),
      exemption: {
        status: 'EXEMPTED',
        index: 0,
        image: `${img.unsigned.repository}@${img.unsigned.digest}`,
        service: null,
        clusters: ['prod-eu'],
        until,
        reason: 'signing pipeline down during incident',
        ticket: 'SEC-4471',
      },
    });
    // Verification still ran: the message says what the decision would have been.
    expect(record.containers[0]!.message).toContain('without it: deny NO_SIGNATURES');
    expect(record.alert).toMatchObject({ status: 'sent', group: record.containers[0]!.alertGroup });

    const alerts = publishes();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Subject).toBe(
      '[image-guard] Exemption used for task in prod-eu/payments-api: EXEMPTED (api)',
    );
    expect(alerts[0]!.Message).toContain('a policy EXEMPTION (break-glass) covers it');
    expect(alerts[0]!.Message).toContain(`exemption: exemptions[0] (ticket SEC-4471), until ${until}`);
    expect(alerts[0]!.Message).toContain('reason:    signing pipeline down during incident');
    expect(alerts[0]!.Message).toContain(taskArn);
    expect(attr(alerts[0]!, 'result')).toBe('exempted');
    expect(attr(alerts[0]!, 'outcome')).toBe('allow');
    expect(attr(alerts[0]!, 'reason')).toBe('EXEMPTED');
    expect(attr(alerts[0]!, 'exemption')).toBe('used');
    expect(setup.metrics.counts).toEqual({ Exempted: 1, TasksAlerted: 1 });
  });

  it('alerts once per task (a later event is already decided) and once per group (the next task is counted)', async () => {
    const setup = buildGuard({
      policy: policy([imageExemption(`${img.unsigned.repository}@${img.unsigned.digest}`)]),
    });
    const first = task(img.unsigned);
    await decide(setup, first.event);
    const again = await setup.guard.handle(first.event);
    expect(again.kind).toBe('ignored');
    const second = await decide(setup, task(img.unsigned).event);

    expect(second.containers[0]!.reason).toBe(ReasonCode.EXEMPTED);
    expect(second.alert).toMatchObject({ status: 'counted', count: 1 });
    expect(publishes()).toHaveLength(1);
    expect(stops()).toEqual([]);
  });

  it('does not alert when the exempted image verifies anyway (no exemption needed, none recorded)', async () => {
    const setup = buildGuard({
      policy: policy([imageExemption(`${img.signed.repository}@${img.signed.digest}`)]),
    });
    const record = await decide(setup, task(img.signed).event);
    expect(record.action).toBe('none');
    expect(record.containers[0]).toMatchObject({ reason: ReasonCode.VERIFIED, exemption: null });
    expect(publishes()).toEqual([]);
  });

  it('exempts every container of the exempted service in the listed clusters', async () => {
    const setup = buildGuard({
      policy: policy([
        {
          service: 'payments-api',
          clusters: ['prod-*'],
          until: IN_TWO_DAYS(),
          reason: 'incident',
          ticket: 'INC-1',
        },
      ]),
    });
    const record = await decide(setup, task(img.unsignedOther, { service: 'payments-api' }).event);
    expect(stops()).toEqual([]);
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      reason: ReasonCode.EXEMPTED,
      exemption: { status: 'EXEMPTED', service: 'payments-api', image: null, ticket: 'INC-1' },
    });
    expect(publishes()).toHaveLength(1);
  });
});

describe('what an exemption does not cover', () => {
  async function expectStopped(exemption: Record<string, unknown>, t: ReturnType<typeof task>) {
    const setup = buildGuard({ policy: policy([exemption]) });
    const record = await decide(setup, t.event);
    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      exemption: null,
    });
    expect(stops()).toHaveLength(1);
    expect(publishes()[0]!.Subject).toContain('Stopped task');
  }

  it('a look-alike digest (one hex character different) is not exempted', async () => {
    const digest = img.unsigned.digest;
    const last = digest.slice(-1) === '0' ? '1' : '0';
    const lookAlike = `${digest.slice(0, -1)}${last}`;
    await expectStopped(imageExemption(`${img.unsigned.repository}@${lookAlike}`), task(img.unsigned));
  });

  it('the same digest in another repository is not exempted', async () => {
    await expectStopped(imageExemption(`${host}/team/other@${img.unsigned.digest}`), task(img.unsigned));
  });

  it('another cluster is not exempted', async () => {
    await expectStopped(
      imageExemption(`${img.unsigned.repository}@${img.unsigned.digest}`, { clusters: ['staging-eu'] }),
      task(img.unsigned),
    );
  });

  it('another service, or a task that is no service (RunTask), is not exempted by a service exemption', async () => {
    const exemption = {
      service: 'payments',
      clusters: ['prod-eu'],
      until: IN_TWO_DAYS(),
      reason: 'r',
      ticket: 'T-1',
    };
    await expectStopped(exemption, task(img.unsigned, { service: 'payments-api' }));
    ecs.resetHistory();
    sns.resetHistory();
    await expectStopped(exemption, task(img.unsigned, { runTask: true }));
  });
});

describe('an expired exemption', () => {
  it('is ignored: the task is decided as usual (stopped), the record and the alert say it expired', async () => {
    const setup = buildGuard({
      policy: policy([
        imageExemption(`${img.unsigned.repository}@${img.unsigned.digest}`, { until: LONG_AGO }),
      ]),
    });
    const record = await decide(setup, task(img.unsigned).event);

    expect(record.action).toBe('stopped');
    expect(record.containers[0]).toMatchObject({
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
      exemption: { status: 'EXEMPTION_EXPIRED', index: 0, until: LONG_AGO, ticket: 'SEC-4471' },
    });
    expect(record.containers[0]!.message).toMatch(
      /^EXEMPTION_EXPIRED: exemptions\[0\] \(ticket SEC-4471\) expired at 2020-01-01T00:00:00Z and was ignored; /,
    );
    expect(stops()).toHaveLength(1);
    const alerts = publishes();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Subject).toContain('Stopped task (exemption expired)');
    expect(alerts[0]!.Message).toContain('has EXPIRED and was IGNORED');
    expect(alerts[0]!.Message).toContain(
      'exemption: EXPIRED at 2020-01-01T00:00:00Z, ignored: exemptions[0] (ticket SEC-4471)',
    );
    expect(attr(alerts[0]!, 'exemption')).toBe('expired');
  });

  it('in audit mode: would have stopped, alerted with the expiry', async () => {
    const setup = buildGuard({
      policy: policy(
        [imageExemption(`${img.unsigned.repository}@${img.unsigned.digest}`, { until: LONG_AGO })],
        'audit',
      ),
    });
    const record = await decide(setup, task(img.unsigned).event);
    expect(record.action).toBe('alerted');
    expect(record.containers[0]!.exemption?.status).toBe('EXEMPTION_EXPIRED');
    expect(stops()).toEqual([]);
    // The subject is capped at 100 characters (SNS), so the body is what says it for sure.
    expect(publishes()[0]!.Subject).toContain('Would have stopped task (exemption e');
    expect(publishes()[0]!.Message).toContain('has EXPIRED and was IGNORED');
  });
});
