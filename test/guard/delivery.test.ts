/**
 * How the Guard copes with EventBridge delivery and ECS answers: duplicates and out-of-order events,
 * a second Lambda instance sharing the DynamoDB ledger, StopTask on a task that is already gone,
 * a StopTask throttled beyond the invocation's retries (the invocation fails so Lambda retries; the
 * retry stops once), and events
 * that are not usable at all (ignored with a reason, no AWS call, no throw).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ECSClient,
  InvalidParameterException,
  ECSServiceException,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDecisionLedger } from '../../lambda/enforce/decision-ledger';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { startLedgerTable, type LedgerTable } from '../enforce/support/ledger-table';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  answerKms,
  buildGuard,
  loadFixture,
  newTaskId,
  pushTestImage,
  taskEvent,
  type PushedImage,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

const ciKey = generateTestKey('p256');
let registry: StartedRegistry;
let unsigned: PushedImage;
/** The ledger on a real DynamoDB (dynalite): conditional writes as DynamoDB does them. */
let ledgerTable: LedgerTable;

beforeAll(async () => {
  registry = await startRegistry();
  unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
  ledgerTable = await startLedgerTable();
});
afterAll(async () => {
  await registry?.stop();
  await ledgerTable?.stop();
});

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  answerKms(kms, ciKey);
});

function policy(): Record<string, unknown> {
  return {
    mode: 'enforce',
    noMatch: 'deny',
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${registry.host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [registry.host] },
  };
}

function unsignedTask(
  taskId: string,
  overrides: { lastStatus?: string; version?: number; id?: string } = {},
) {
  return taskEvent({
    taskId,
    containers: [{ name: 'api', image: unsigned.image, imageDigest: unsigned.digest }],
    ...overrides,
  });
}

describe('duplicate and out-of-order events', () => {
  it('stops once and alerts once; the duplicate and the later RUNNING event are ignored', async () => {
    const setup = buildGuard({ policy: policy() });
    const taskId = newTaskId();
    const pending = unsignedTask(taskId, { lastStatus: 'PENDING', version: 2 });

    const first = await setup.guard.handle(pending);
    const duplicate = await setup.guard.handle(structuredClone(pending));
    const running = await setup.guard.handle(
      unsignedTask(taskId, { lastStatus: 'RUNNING', version: 3, id: 'a0b1c2d3-running' }),
    );

    expect(first.kind).toBe('decision');
    expect(first.record).toMatchObject({ type: 'image-guard.decision', action: 'stopped' });
    for (const later of [duplicate, running]) {
      expect(later.kind).toBe('ignored');
      expect(later.record).toMatchObject({
        type: 'image-guard.ignored',
        reason: ReasonCode.ALREADY_DECIDED,
        taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/${taskId}`,
      });
    }
    expect(running.record.eventId).toBe('a0b1c2d3-running');
    expect(setup.logger.decisions()).toHaveLength(1);
    expect(setup.logger.ignored()).toHaveLength(2);
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(setup.metrics.counts).toEqual({ Denied: 1, TasksStopped: 1, TasksAlerted: 1, EventsIgnored: 2 });
    expect(setup.metrics.flushes).toBe(3);
  });

  it('decides an invalid image reference once, keeping the digest the event reported', async () => {
    const setup = buildGuard({ policy: policy() });
    const image = `${registry.host}/Team/App:1.0`; // upper case: not a valid reference
    const event = taskEvent({
      taskId: newTaskId(),
      containers: [{ name: 'api', image, imageDigest: unsigned.digest }],
    });
    const first = await setup.guard.handle(event);
    const duplicate = await setup.guard.handle(structuredClone(event));

    expect(first.record).toMatchObject({
      type: 'image-guard.decision',
      action: 'stopped',
      containers: [
        expect.objectContaining({
          outcome: 'deny',
          reason: ReasonCode.INVALID_REFERENCE,
          digest: unsigned.digest,
          digestSource: 'event',
        }),
      ],
    });
    expect(duplicate.record).toMatchObject({ reason: ReasonCode.ALREADY_DECIDED });
    expect(setup.logger.decisions()).toHaveLength(1);
    expect(setup.engine.registry.stats.total).toBe(0);
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toContain('INVALID_REFERENCE');
  });

  it('a second Lambda instance sharing the DynamoDB ledger neither stops nor alerts again', async () => {
    const ledger = () => new DynamoDecisionLedger(ledgerTable.client, ledgerTable.tableName);
    const instanceA = buildGuard({ policy: policy(), ledger: ledger() });
    const instanceB = buildGuard({ policy: policy(), ledger: ledger() });
    const event = unsignedTask(newTaskId());

    const [a, b] = await Promise.all([
      instanceA.guard.handle(event),
      instanceB.guard.handle(structuredClone(event)),
    ]);

    expect(a.kind).toBe('decision');
    expect(b.kind).toBe('decision');
    const actions = [a.record, b.record].map((r) => (r.type === 'image-guard.decision' ? r.action : r.type));
    expect(actions.sort()).toEqual(['none', 'stopped']);
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const taskArn = ecs.commandCalls(StopTaskCommand)[0]?.args[0].input.task as string;
    const item = await ledgerTable.client.send(
      new GetItemCommand({ TableName: ledgerTable.tableName, Key: { taskArn: { S: taskArn } } }),
    );
    expect(item.Item).toMatchObject({ stopDone: { S: 'stopped' }, alertDone: { S: 'sent' } });
  });
});

describe('StopTask answers', () => {
  it('treats "The referenced task was not found" as stopped', async () => {
    ecs
      .on(StopTaskCommand)
      .rejects(
        new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }),
      );
    const setup = buildGuard({ policy: policy() });
    const outcome = await setup.guard.handle(unsignedTask(newTaskId()));
    expect(outcome.record).toMatchObject({ type: 'image-guard.decision', action: 'stopped' });
    expect(outcome.record).not.toHaveProperty('actionError');
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(setup.logger.lines.every((l) => l.level === 'info')).toBe(true);
  });

  it('fails the invocation on a throttled StopTask, logs the decision with actionError, and the retry stops once', async () => {
    const throttled = new ECSServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 5 },
      message: 'Rate exceeded',
    });
    // Throttled beyond the invocation's own retries (one try and one back-off here).
    ecs
      .on(StopTaskCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ task: { desiredStatus: 'STOPPED' } });
    const setup = buildGuard({ policy: policy(), enforcer: { retry: { attempts: 2 } } });
    const taskId = newTaskId();
    const event = unsignedTask(taskId);

    const failure = await setup.guard.handle(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(GuardError);
    expect(failure).toMatchObject({ retryable: true });
    expect((failure as Error).message).toContain('ThrottlingException');

    const failed = setup.logger.lines[0];
    expect(failed?.level).toBe('error');
    expect(failed?.fields).toMatchObject({
      type: 'image-guard.decision',
      action: 'none',
      actionError: expect.stringContaining('ThrottlingException'),
      containers: [expect.objectContaining({ outcome: 'deny', reason: ReasonCode.NO_SIGNATURES })],
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(setup.metrics.counts.Errors).toBe(1);
    expect(setup.metrics.flushes).toBe(1);

    // Lambda retries the same event: this time the stop goes through, once, and the alert is sent once.
    const retry = await setup.guard.handle(structuredClone(event));
    expect(retry.record).toMatchObject({ type: 'image-guard.decision', action: 'stopped' });
    expect(retry.record).not.toHaveProperty('actionError');
    const third = await setup.guard.handle(structuredClone(event));
    expect(third.record).toMatchObject({ reason: ReasonCode.ALREADY_DECIDED });

    const stops = ecs.commandCalls(StopTaskCommand);
    expect(stops).toHaveLength(3); // the two throttled attempts and the one that stopped it
    expect(stops.every((s) => s.args[0].input.task?.endsWith(taskId))).toBe(true);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(setup.metrics.counts.TasksStopped).toBe(1);
  });
});

describe('SNS Publish answers', () => {
  it('records a stop that succeeded before Publish failed, and the retry alerts without stopping again', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform SNS:Publish'), {
          name: 'AuthorizationErrorException',
          $metadata: { httpStatusCode: 403 },
        }),
      )
      .resolves({ MessageId: 'msg-2' });
    const setup = buildGuard({ policy: policy() });
    const event = unsignedTask(newTaskId());

    await expect(setup.guard.handle(event)).rejects.toThrow(/SNS Publish failed/);
    const failed = setup.logger.lines[0];
    expect(failed?.level).toBe('error');
    // StopTask went through: the audit record must say so, with the failed alert as actionError.
    expect(failed?.fields).toMatchObject({
      type: 'image-guard.decision',
      action: 'stopped',
      actionError: expect.stringContaining('AuthorizationErrorException'),
    });
    expect(setup.metrics.counts).toMatchObject({ TasksStopped: 1, Errors: 1 });

    const retry = await setup.guard.handle(structuredClone(event));
    expect(retry.record).toMatchObject({ type: 'image-guard.decision', action: 'alerted' });
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input.Subject).toContain('Stopped task');
    expect(setup.metrics.counts).toMatchObject({ TasksStopped: 1, TasksAlerted: 1 });
  });
});

describe('events that are not usable', () => {
  const huge = 'x'.repeat(1_000_000);
  const withDetail = (change: (detail: Record<string, unknown>) => void): Record<string, unknown> => {
    const event = loadFixture('ec2-service-pending-digest');
    change(event.detail as Record<string, unknown>);
    return event;
  };
  const cases: [string, () => unknown, ReasonCode, RegExp][] = [
    ['null', () => null, ReasonCode.EVENT_INVALID, /not a JSON object.*null/],
    ['undefined', () => undefined, ReasonCode.EVENT_INVALID, /not a JSON object/],
    [
      'an array',
      () => [loadFixture('ec2-service-pending-digest')],
      ReasonCode.EVENT_INVALID,
      /not a JSON object/,
    ],
    ['a string', () => 'ECS Task State Change', ReasonCode.EVENT_INVALID, /not a JSON object/],
    ['an empty object', () => ({}), ReasonCode.EVENT_INVALID, /source/],
    [
      'another source',
      () => ({ ...loadFixture('ec2-service-pending-digest'), source: 'aws.ec2' }),
      ReasonCode.EVENT_INVALID,
      /source.*aws\.ecs.*aws\.ec2/,
    ],
    [
      'another detail-type',
      () => ({
        ...loadFixture('ec2-service-pending-digest'),
        'detail-type': 'ECS Container Instance State Change',
      }),
      ReasonCode.EVENT_INVALID,
      /detail-type/,
    ],
    [
      'no detail',
      () => ({ ...loadFixture('ec2-service-pending-digest'), detail: null }),
      ReasonCode.EVENT_INVALID,
      /detail/,
    ],
    ['no task ARN', () => withDetail((d) => delete d.taskArn), ReasonCode.EVENT_INVALID, /taskArn/],
    [
      'a numeric cluster ARN',
      () => withDetail((d) => (d.clusterArn = 42)),
      ReasonCode.EVENT_INVALID,
      /clusterArn/,
    ],
    ['version as a string', () => withDetail((d) => (d.version = '2')), ReasonCode.EVENT_INVALID, /version/],
    [
      'containers not a list',
      () => withDetail((d) => (d.containers = { name: 'api' })),
      ReasonCode.EVENT_INVALID,
      /containers/,
    ],
    ['no containers', () => withDetail((d) => (d.containers = [])), ReasonCode.EVENT_INVALID, /containers/],
    [
      'a huge event id',
      () => ({ ...loadFixture('ec2-service-pending-digest'), id: huge }),
      ReasonCode.EVENT_INVALID,
      /id.*longer than/,
    ],
    ['a STOPPED task', () => loadFixture('ec2-stopped'), ReasonCode.EVENT_NOT_APPLICABLE, /STOPPED/],
  ];

  it.each(cases)(
    'ignores %s with a reason, without throwing or calling AWS',
    async (_what, make, reason, message) => {
      const setup = buildGuard({ policy: policy() });
      const outcome = await setup.guard.handle(make());
      expect(outcome.kind).toBe('ignored');
      expect(outcome.record).toMatchObject({ type: 'image-guard.ignored', reason });
      expect(outcome.record.type === 'image-guard.ignored' && outcome.record.message).toMatch(message);
      // Bounded: a huge input never ends up in the log line.
      expect(JSON.stringify(outcome.record).length).toBeLessThan(4096);
      expect(setup.logger.ignored()).toEqual([outcome.record]);
      // An event that cannot be parsed is counted apart from the ones that do not apply.
      expect(setup.metrics.counts).toEqual(
        reason === ReasonCode.EVENT_INVALID ? { EventsInvalid: 1 } : { EventsIgnored: 1 },
      );
      expect(setup.engine.registry.stats.total).toBe(0);
      expect(ecs.calls()).toHaveLength(0);
      expect(sns.calls()).toHaveLength(0);
      expect(kms.calls()).toHaveLength(0);
    },
  );
});
