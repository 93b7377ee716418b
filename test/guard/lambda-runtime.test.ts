/**
 * The Lambda's wiring: createLambdaGuard (policy file → engine → Guard, or the POLICY_INVALID fallback)
 * and the real lambda/handler.ts module with Powertools Logger and Metrics writing to stdout.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { GuardError } from '../../lambda/errors';
import { createLambdaGuard } from '../../lambda/guard/lambda-runtime';
import { policySha256 } from '../../lambda/policy/hash';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  REGION,
  TOPIC_ARN,
  RecordingLogger,
  RecordingMetrics,
  answerKms,
  loadFixture,
  newTaskId,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type PushedImage,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);
const ddb = mockClient(DynamoDBClient);

const ciKey = generateTestKey('p256');
let dir: string;
let registry: StartedRegistry;
let signed: PushedImage;
let unsigned: PushedImage;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'image-guard-runtime-'));
  registry = await startRegistry();
  signed = await pushTestImage(registry, 'team/app', '1.0');
  await pushLegacySignatures(registry, signed, [ciKey]);
  unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
});
afterAll(async () => {
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  ddb.reset();
  ecs.on(StopTaskCommand).resolves({ task: { desiredStatus: 'STOPPED' } });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  ddb.on(UpdateItemCommand).resolves({});
  answerKms(kms, ciKey);
});

function writePolicy(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function enforcePolicy(): string {
  return JSON.stringify({
    mode: 'enforce',
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${registry.host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [registry.host] },
  });
}

/** As synth ships it: the compiled policy as JSON, and its SHA-256 for the environment. */
function shipPolicy(name: string, source: string): { file: string; sha256: string } {
  const compiled = parsePolicy(source, { source: name });
  return { file: writePolicy(name, JSON.stringify(compiled, null, 2)), sha256: policySha256(compiled) };
}

function config(
  shipped: { file: string; sha256?: string },
  extra: { topicArn?: string; ledgerTable?: string } = {},
) {
  return {
    policyFile: shipped.file,
    policySha256: shipped.sha256,
    verifyDeadlineMs: 20_000,
    region: REGION,
    ...extra,
  };
}

describe('createLambdaGuard', () => {
  it('wires the policy, registry, KMS, ECS, SNS and the DynamoDB ledger', async () => {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const guard = createLambdaGuard(
      config(shipPolicy('enforce.json', enforcePolicy()), {
        topicArn: TOPIC_ARN,
        ledgerTable: 'ledger-table',
      }),
      logger,
      metrics,
    );
    const taskId = newTaskId();
    await guard.handle(
      taskEvent({
        taskId,
        containers: [{ name: 'api', image: unsigned.image, imageDigest: unsigned.digest }],
      }),
    );
    await guard.handle(
      taskEvent({
        taskId: newTaskId(),
        containers: [{ name: 'api', image: signed.image, imageDigest: signed.digest }],
      }),
    );

    const [denied, allowed] = logger.decisions();
    expect(denied).toMatchObject({
      action: 'stopped',
      containers: [expect.objectContaining({ outcome: 'deny' })],
    });
    expect(allowed).toMatchObject({
      action: 'none',
      containers: [expect.objectContaining({ outcome: 'allow' })],
    });
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input.task).toContain(taskId);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.TopicArn).toBe(TOPIC_ARN);
    const claims = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    // Stop: claim + done; alert: claim + group window + done.
    expect(claims.map((c) => c.TableName)).toEqual(Array(5).fill('ledger-table'));
    expect(metrics.flushes).toBe(2);
  });

  it.each([
    [
      'a missing policy file',
      () => ({ file: path.join(dir, 'does-not-exist.json'), sha256: 'a'.repeat(64) }),
      /does-not-exist\.json|ENOENT/,
    ],
    [
      'a policy file changed after synth (its SHA-256 differs)',
      () => {
        const shipped = shipPolicy('changed.json', enforcePolicy());
        writeFileSync(shipped.file, readFileSync(shipped.file, 'utf8').replace('"enforce"', '"audit"'));
        return shipped;
      },
      /is not the deployed policy's/,
    ],
    [
      'no policy SHA-256 in the environment',
      () => ({ file: shipPolicy('unhashed.json', enforcePolicy()).file }),
      /IMAGE_GUARD_POLICY_SHA256/,
    ],
    [
      'a file that is not a compiled policy (hash matching)',
      () => ({
        file: writePolicy('not-compiled.json', '{"mode":"enforce"}'),
        sha256: policySha256({ mode: 'enforce' } as never),
      }),
      /not a compiled policy: version is missing or invalid/,
    ],
  ])('falls back on %s: every event is logged POLICY_INVALID and rejected', async (_what, file, detail) => {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const guard = createLambdaGuard(config(file()), logger, metrics);
    const event = loadFixture('ec2-service-pending-digest');

    const error = await guard.handle(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toMatchObject({ code: ReasonCode.POLICY_INVALID });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'error',
      message: 'ignored',
      fields: {
        type: 'image-guard.ignored',
        reason: ReasonCode.POLICY_INVALID,
        eventId: event.id,
        message: expect.stringMatching(/^the guard cannot start: /),
      },
    });
    expect(logger.ignored()[0]?.message).toMatch(detail);
    // Even a non-object event is logged and rejected, never crashes differently.
    await expect(guard.handle(null)).rejects.toMatchObject({ code: ReasonCode.POLICY_INVALID });
    expect(logger.lines[1]?.fields).not.toHaveProperty('eventId');
    expect(ecs.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);
  });
});

describe('lambda/handler.ts', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it('handles an event through the real module and writes the JSON audit line and EMF metrics to stdout', async () => {
    const shipped = shipPolicy('compiled-policy.json', enforcePolicy());
    process.env.IMAGE_GUARD_POLICY_FILE = shipped.file;
    process.env.IMAGE_GUARD_POLICY_SHA256 = shipped.sha256;
    process.env.AWS_REGION = REGION;
    delete process.env.IMAGE_GUARD_TOPIC_ARN;
    delete process.env.IMAGE_GUARD_LEDGER_TABLE;
    delete process.env.POWERTOOLS_DEV;

    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });

    let handler: ((event: unknown) => Promise<void>) | undefined;
    jest.isolateModules(() => {
      handler = (require('../../lambda/handler') as { handler: (event: unknown) => Promise<void> }).handler;
    });
    const stopped = loadFixture('ec2-stopped');
    await expect(handler!(stopped)).resolves.toBeUndefined();
    jest.restoreAllMocks();

    const lines = written
      .join('')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const audit = lines.filter((l) => l.type === 'image-guard.ignored');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      level: 'INFO',
      reason: ReasonCode.EVENT_NOT_APPLICABLE,
      eventId: stopped.id,
      taskArn: (stopped.detail as { taskArn: string }).taskArn,
      // The reason in words reaches the log (a logger that reserves `message` would drop it).
      message: expect.stringContaining('STOPPED'),
    });
    const emf = lines.find((l) => '_aws' in l);
    expect(emf).toMatchObject({ EventsIgnored: 1 });
    expect(ecs.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});
