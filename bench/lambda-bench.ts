/**
 * Lambda figures: the Guard wired exactly as lambda/guard/lambda-runtime.ts wires it (real engine,
 * verdict cache, KMS key loader, DynamoDB ledger, Powertools logger and metrics), with AWS answered
 * by aws-sdk-client-mock, handling the events of 100-task service deployments on a warm process.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { VerdictCache } from '../lambda/cache/verdict-cache';
import type { Sender } from '../lambda/aws/lazy-client';
import { DynamoDecisionLedger, type DecisionLedger } from '../lambda/enforce/decision-ledger';
import { composeGuard } from '../lambda/guard/composition';
import type { Engine } from '../lambda/guard/engine';
import type { Guard, GuardOutcome } from '../lambda/guard/guard';
import { parsePolicy } from '../lambda/policy/load';
import type { AwsCallCounts, AwsMocks } from './aws-mocks';
import { loggingWithSink, type Sink } from './powertools-sink';
import type { Report } from './report';
import type { BenchImage } from './signed-images';
import type { GcMeter } from './gc-meter';
import { elapsedMs, median } from './stats';
import { ACCOUNT, REGION, deploymentEvents } from './task-events';

const SECTION = 'Lambda (warm process, one event at a time)';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:image-guard-alerts`;
const LEDGER_TABLE = 'image-guard-ledger';
export const KMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export interface LambdaBenchInput {
  report: Report;
  /** The registry (policy rules match its images). */
  host: string;
  /** Hosts reached over plain HTTP (policy `registries.insecure`): the registry and its token service. */
  insecure: string[];
  aws: AwsMocks;
  gc: GcMeter;
  /** Signed by the key KMS returns. */
  signed: BenchImage[];
  unsigned: BenchImage;
}

interface GuardUnderTest {
  guard: Guard;
  engine: Engine;
  sink: Sink;
}

/** A real DynamoDB (dynalite on loopback) with the stack's ledger table, each call counted by command. */
interface BenchLedger {
  ledger: DecisionLedger;
  calls: Map<string, number>;
  stop(): Promise<void>;
}

async function startBenchLedger(): Promise<BenchLedger> {
  const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    region: REGION,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 3,
  });
  // aws-sdk-client-mock stubs DynamoDBClient.prototype.send for the whole process; the ledger's
  // conditional writes need real answers, so this client goes through the SDK's own send.
  const realSend = (
    Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (command: unknown) => Promise<unknown> }
  ).send;
  const calls = new Map<string, number>();
  const sender = {
    send: ((command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return realSend.call(client, command);
    }) as unknown as DynamoDBClient['send'],
  } satisfies Sender<DynamoDBClient>;
  await sender.send(
    new CreateTableCommand({
      TableName: LEDGER_TABLE,
      KeySchema: [{ AttributeName: 'taskArn', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'taskArn', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  calls.clear();
  return {
    ledger: new DynamoDecisionLedger(sender, LEDGER_TABLE),
    calls,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** lambda-runtime.ts's createLambdaGuard, with the policy given as a document. */
function buildGuard(host: string, insecure: string[], ledger?: DecisionLedger): GuardUnderTest {
  const policy = parsePolicy(
    JSON.stringify({
      mode: 'enforce',
      noMatch: 'deny',
      onError: 'alert',
      keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
      rules: [{ name: 'bench-images', match: { images: [`${host}/bench/**`] }, keys: ['ci'] }],
      registries: { insecure },
    }),
    { source: 'bench-policy.json' },
  );
  const { logger, metrics, sink } = loggingWithSink();
  const { guard, engine } = composeGuard({
    policy,
    region: REGION,
    cache: new VerdictCache(),
    ecs: new ECSClient({ region: REGION, maxAttempts: 5 }),
    sns: new SNSClient({ region: REGION, maxAttempts: 5 }),
    topicArn: TOPIC_ARN,
    ledger:
      ledger ??
      new DynamoDecisionLedger(new DynamoDBClient({ region: REGION, maxAttempts: 3 }), LEDGER_TABLE),
    logger,
    metrics,
    verifyDeadlineMs: 25_000,
  });
  return { guard, engine, sink };
}

function outcomeKey(outcome: GuardOutcome): string {
  if (outcome.kind === 'ignored') return `ignored ${outcome.record.reason}`;
  const containers = outcome.record.containers.map((c) => `${c.outcome}/${c.reason}`).join(',');
  return `decision ${outcome.record.action} ${containers}`;
}

interface Run {
  events: number;
  ms: number;
  outcomes: Record<string, number>;
}

/** Handles the events one at a time, as one Lambda execution environment does. */
async function handleAll(guard: Guard, events: readonly object[]): Promise<Run> {
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  for (const event of events) {
    const key = outcomeKey(await guard.handle(event));
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return { events: events.length, ms: elapsedMs(started), outcomes };
}

function expectOutcomes(run: Run, expected: Record<string, number>, what: string): void {
  const actual = JSON.stringify(Object.entries(run.outcomes).sort());
  if (actual !== JSON.stringify(Object.entries(expected).sort())) {
    throw new Error(`${what}: unexpected outcomes ${actual}, expected ${JSON.stringify(expected)}`);
  }
}

function perThousand(count: number, events: number): number {
  return (count / events) * 1000;
}

function reportCalls(
  report: Report,
  label: string,
  events: number,
  aws: AwsCallCounts,
  engine: Engine,
  expected: { stop: number; alert: number },
): void {
  const stats = engine.registry.stats;
  const calls = `over ${events} events`;
  report.add(
    SECTION,
    `${label}: registry requests / 1,000 events`,
    perThousand(stats.total, events),
    'req',
    undefined,
    `${stats.total} ${calls} (manifest ${stats.manifest}, blob ${stats.blob}, referrers ${stats.referrers}, token ${stats.token})`,
  );
  report.add(
    SECTION,
    `${label}: registry token requests / 1,000 events`,
    perThousand(stats.token, events),
    'req',
    undefined,
    `local registry: Bearer token from its token service; no ECR, ECR calls ${aws.ecrAny}`,
  );
  report.add(
    SECTION,
    `${label}: ECS StopTask / 1,000 events`,
    perThousand(aws.ecsStopTask, events),
    'calls',
    { op: '<=', value: perThousand(expected.stop, events) },
    `${aws.ecsStopTask} ${calls}; expected at most one per task (${expected.stop})`,
  );
  report.add(
    SECTION,
    `${label}: SNS Publish / 1,000 events`,
    perThousand(aws.snsPublish, events),
    'calls',
    { op: '<=', value: perThousand(expected.alert, events) },
    `${aws.snsPublish} ${calls}; expected at most ${expected.alert} (one per alert group and window)`,
  );
  report.add(
    SECTION,
    `${label}: DynamoDB UpdateItem / 1,000 events`,
    perThousand(aws.dynamoDbUpdateItem, events),
    'calls',
    undefined,
    `${aws.dynamoDbUpdateItem} ${calls} (ledger on the mocked client)`,
  );
  report.add(
    SECTION,
    `${label}: KMS GetPublicKey / 1,000 events`,
    perThousand(aws.kmsGetPublicKey, events),
    'calls',
    undefined,
    `${aws.kmsGetPublicKey} ${calls} (key already loaded by the warm-up)`,
  );
}

/** 100 tasks of one signed image, cached verdict: 5 deployments of 300 events each. */
async function cachedDeployment(input: LambdaBenchInput, g: GuardUnderTest): Promise<void> {
  const { report, aws } = input;
  const image = input.signed[0] as BenchImage;
  const warm = await handleAll(g.guard, deploymentEvents(Array.from({ length: 20 }, () => image)));
  expectOutcomes(warm, { 'decision none allow/VERIFIED': 20, 'ignored ALREADY_DECIDED': 40 }, 'warm-up');
  aws.resetHistory();
  g.engine.registry.resetStats();
  const sinkBefore = { ...g.sink };

  const rounds = 10;
  const rates: number[] = [];
  let events = 0;
  const { gc } = input;
  await gc.settle();
  gc.reset();
  for (let round = 0; round < rounds; round++) {
    const run = await handleAll(g.guard, deploymentEvents(Array.from({ length: 100 }, () => image)));
    expectOutcomes(
      run,
      { 'decision none allow/VERIFIED': 100, 'ignored ALREADY_DECIDED': 200 },
      'cached deployment',
    );
    rates.push(run.events / (run.ms / 1000));
    events += run.events;
  }
  await gc.settle();
  const gcTime = gc.read();
  const label = '100 tasks × 3 events, one image (cached)';
  report.add(
    SECTION,
    `${label}: events/s, median of ${rounds}`,
    median(rates),
    '/s',
    { op: '>=', value: 2000 },
    `per round ${rates.map((r) => r.toFixed(0)).join(', ')}; each round = 100 decisions (allow) + 200 ALREADY_DECIDED; GC ${gcTime.ms.toFixed(0)} ms over all rounds`,
  );
  report.add(
    SECTION,
    `${label}: log bytes / event`,
    (g.sink.auditBytes + g.sink.metricsBytes - sinkBefore.auditBytes - sinkBefore.metricsBytes) / events,
    'B',
    undefined,
    `${g.sink.auditLines - sinkBefore.auditLines} audit JSON lines (${g.sink.auditBytes - sinkBefore.auditBytes} B) + ${g.sink.metricsWrites - sinkBefore.metricsWrites} Powertools EMF blobs (${g.sink.metricsBytes - sinkBefore.metricsBytes} B) for ${events} events, into a counting sink`,
  );
  reportCalls(report, 'cached deployment', events, aws.counts(), g.engine, { stop: 0, alert: 0 });
}

/** 100 tasks, each with its own signed image: a fresh guard, every verdict looked up once. */
async function uncachedDeployment(input: LambdaBenchInput): Promise<void> {
  const { report, aws } = input;
  aws.resetHistory();
  const g = buildGuard(input.host, input.insecure);
  const images = input.signed.slice(1, 101);
  if (images.length < 100) throw new Error('the uncached deployment needs 100 distinct signed images');
  // Warm this process's guard: KMS key, one token per repository, no verdict for the measured images.
  const warmImages = [...new Map(input.signed.slice(101).map((i) => [i.repo, i])).values()];
  await handleAll(g.guard, deploymentEvents(warmImages));
  const kmsPerProcess = aws.counts().kmsGetPublicKey;
  aws.resetHistory();
  g.engine.registry.resetStats();

  const run = await handleAll(g.guard, deploymentEvents(images));
  expectOutcomes(
    run,
    { 'decision none allow/VERIFIED': 100, 'ignored ALREADY_DECIDED': 200 },
    'uncached deployment',
  );
  const formats = images.reduce<Record<string, number>>(
    (acc, i) => ({ ...acc, [i.format]: (acc[i.format] ?? 0) + 1 }),
    {},
  );
  report.add(
    SECTION,
    '100 tasks × 3 events, 100 distinct images (uncached): events/s',
    run.events / (run.ms / 1000),
    '/s',
    undefined,
    `${Object.entries(formats)
      .map(([f, n]) => `${n} ${f}`)
      .join(' + ')}; ${run.ms.toFixed(0)} ms for ${run.events} events`,
  );
  reportCalls(report, 'uncached deployment', run.events, aws.counts(), g.engine, { stop: 0, alert: 0 });
  report.add(
    SECTION,
    'KMS GetPublicKey per key per process (fresh guard)',
    kmsPerProcess + aws.counts().kmsGetPublicKey,
    'calls',
    { op: '<=', value: 1 },
  );
}

/**
 * 100 tasks of one unsigned service under enforce, on a real DynamoDB ledger (dynalite): every task
 * stopped once; one email for the group's window (the other 99 are counted, not emailed).
 */
async function denyDeployment(input: LambdaBenchInput): Promise<void> {
  const { report, aws } = input;
  const bench = await startBenchLedger();
  try {
    const g = buildGuard(input.host, input.insecure, bench.ledger);
    aws.resetHistory();
    g.engine.registry.resetStats();
    const run = await handleAll(g.guard, deploymentEvents(Array.from({ length: 100 }, () => input.unsigned)));
    expectOutcomes(
      run,
      { 'decision stopped deny/NO_SIGNATURES': 100, 'ignored ALREADY_DECIDED': 200 },
      'deny deployment',
    );
    report.add(
      SECTION,
      '100 tasks × 3 events, unsigned service (enforce, deny): events/s',
      run.events / (run.ms / 1000),
      '/s',
      undefined,
      'negative verdict cached; every task stopped; one email for the group, 99 tasks counted; ledger on dynalite (loopback HTTP)',
    );
    reportCalls(report, 'deny deployment', run.events, aws.counts(), g.engine, { stop: 100, alert: 1 });
    const ddb = [...bench.calls.entries()].sort();
    const ddbTotal = ddb.reduce((sum, [, n]) => sum + n, 0);
    report.add(
      SECTION,
      'deny deployment: DynamoDB calls (ledger) / 1,000 events',
      perThousand(ddbTotal, run.events),
      'calls',
      undefined,
      `${ddbTotal} over ${run.events} events (${ddb.map(([name, n]) => `${name} ${n}`).join(', ')}): per task: claim + done for the stop and for the alert, and the group update (a counted task: the failed conditional open, then the count)`,
    );
  } finally {
    await bench.stop();
  }
}

export async function benchLambda(input: LambdaBenchInput): Promise<void> {
  input.aws.resetHistory();
  const warm = buildGuard(input.host, input.insecure);
  await cachedDeployment(input, warm);
  await denyDeployment(input);
  await uncachedDeployment(input);
  input.report.note(
    SECTION,
    'KMS, ECS, SNS and ECR are aws-sdk-client-mock stubs (no network); DynamoDB is a stub except for the deny deployment, whose ledger is dynalite (real conditional writes); the registry is real.',
  );
}
