/**
 * The synthesized sweep asset (index.js from cdk.out, in a child Node process, invoked as EventBridge
 * Scheduler invokes it) against the ECS fake's ListTasks/DescribeTasks, the real registry, SNS and KMS
 * fakes and dynalite: a running task whose event was never seen is decided and, unsigned, stopped;
 * the next run finds every task current and costs no verification.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { EcsImageGuard } from '../../lib/image-guard';
import { E2E_ACCOUNT, E2E_REGION, LambdaProcess, type SynthesizedGuard } from '../support/e2e';
import { startEcsFake, type EcsFake } from '../support/e2e/ecs-fake';
import { E2E_LEDGER_TABLE, E2E_TOPIC_ARN, lambdaEnvironment } from '../support/e2e/guard-e2e';
import { functionOf } from '../support/e2e/hook-e2e';
import { startKmsFake, type KmsFake } from '../support/e2e/kms-fake';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/e2e/local-dynamodb';
import { KMS_KEY_ARN, SETUP_TIMEOUT_MS } from '../support/e2e/scenario';
import { startSnsFake, type SnsFake } from '../support/e2e/sns-fake';
import { STACK_NAME } from '../support/e2e/synth';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import { newTaskId, pushLegacySignatures, pushTestImage, type PushedImage } from '../guard/support';

const CLUSTER_ARN = `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:cluster/prod-eu`;
const ciKey = generateTestKey('p256');

let registry: StartedRegistry;
let outdir: string;
let sweepFn: SynthesizedGuard;
let ecs: EcsFake;
let sns: SnsFake;
let kms: KmsFake;
let dynamodb: LocalDynamoDb;
let sweep: LambdaProcess;
let good: PushedImage;
let bad: PushedImage;

beforeAll(async () => {
  registry = await startRegistry();
  good = await pushTestImage(registry, 'team/good', '1.0');
  await pushLegacySignatures(registry, good, [ciKey]);
  bad = await pushTestImage(registry, 'team/bad', '1.0');

  outdir = mkdtempSync(path.join(tmpdir(), 'image-guard-sweep-e2e-cdk-out-'));
  const policyFile = path.join(outdir, 'policy.yaml');
  writeFileSync(
    policyFile,
    [
      'version: 1',
      'mode: enforce',
      'noMatch: allow', // the rule's cluster is then the whole scope: no ListClusters
      `keys: [{ name: ci, kms: "${KMS_KEY_ARN}" }]`,
      'rules:',
      '  - name: team-apps',
      `    match: { clusters: [prod-eu], images: ["${registry.host}/team/**"] }`,
      '    keys: [ci]',
      `registries: { insecure: ["${registry.host}"] }`,
      '',
    ].join('\n'),
  );
  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME);
  const guard = new EcsImageGuard(stack, 'Guard', { policyFile, sweepInterval: Duration.minutes(15) });
  app.synth();
  const template = JSON.parse(
    readFileSync(path.join(outdir, `${STACK_NAME}.template.json`), 'utf8'),
  ) as SynthesizedGuard['template'];
  const sweepConstruct = guard.sweep;
  if (!sweepConstruct) throw new Error('the guard deployed no sweep');
  sweepFn = functionOf(
    outdir,
    template,
    stack.getLogicalId(sweepConstruct.function.node.defaultChild as never),
  );
  const ledger =
    Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!.Properties ?? {};
  [ecs, sns, kms, dynamodb] = await Promise.all([
    startEcsFake(),
    startSnsFake(E2E_TOPIC_ARN),
    startKmsFake({ [KMS_KEY_ARN]: ciKey }),
    startLocalDynamoDb(ledger, E2E_LEDGER_TABLE),
  ]);
  sweep = await LambdaProcess.start({
    handlerFile: sweepFn.handlerFile,
    handlerExport: sweepFn.handlerExport,
    env: lambdaEnvironment(sweepFn, { ecs: ecs.url, sns: sns.url, kms: kms.url, dynamodb: dynamodb.url }),
    timeoutMs: sweepFn.timeoutSeconds * 1000,
  });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await sweep?.stop();
  await Promise.all([ecs?.stop(), sns?.stop(), kms?.stop(), dynamodb?.stop()]);
  await registry?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function runningTask(image: PushedImage): string {
  const taskArn = `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:task/prod-eu/${newTaskId()}`;
  ecs.tasks.set(taskArn, {
    taskArn,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: `arn:aws:ecs:${E2E_REGION}:${E2E_ACCOUNT}:task-definition/app:1`,
    lastStatus: 'RUNNING',
    containers: [
      { name: 'app', image: `${registry.host}/${image.repo}:${image.tag}`, imageDigest: image.digest },
    ],
  });
  return taskArn;
}

const runRecords = () => sweep.records('image-guard.sweep');
const sweepDecisions = () => sweep.records('image-guard.decision').filter((d) => d.trigger === 'sweep');

describe('the synthesized sweep asset', () => {
  it('decides running tasks no event told it about, stops the unsigned one, then finds the fleet current', async () => {
    const goodTask = runningTask(good);
    const badTask = runningTask(bad);

    const first = await sweep.invoke({});
    expect(first).toMatchObject({ ok: true });
    expect(ecs.stopped.map((s) => s.task)).toEqual([badTask]);
    const decided = new Map(sweepDecisions().map((d) => [d.taskArn, d]));
    expect(decided.get(goodTask)).toMatchObject({ action: 'none', sweep: { why: 'unknown' } });
    expect(decided.get(badTask)).toMatchObject({
      action: 'stopped',
      sweep: { why: 'unknown', stopBudget: 5 },
    });
    expect(runRecords()[0]).toMatchObject({
      clusters: 1,
      listed: 2,
      decided: 2,
      stopped: 1,
      errors: 0,
      calls: { ListClusters: 0, ListTasks: 1, DescribeTasks: 1 },
    });
    expect(sns.published).toHaveLength(1);

    // The stopped task is gone from ListTasks; the signed one is remembered under the current policy.
    const second = await sweep.invoke({});
    expect(second).toMatchObject({ ok: true });
    expect(runRecords()[1]).toMatchObject({ listed: 1, current: 1, decided: 0, stopped: 0 });
    expect(ecs.stopped).toHaveLength(1);
    expect(sweepDecisions()).toHaveLength(2);
  });
});
