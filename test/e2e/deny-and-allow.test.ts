/**
 * End to end, the synthesized Lambda asset as Lambda runs it: an unsigned image is stopped once and
 * alerted once (also when EventBridge delivers the event again, to another execution environment), a
 * signed one is allowed with no side effect. Real registry, real signatures, real DynamoDB (dynalite),
 * ECS/SNS/KMS fakes on the wire.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { E2E_TOPIC_ARN, type LambdaProcess } from '../support/e2e';
import {
  decisionsFor,
  MEMORY_WRITES_PER_FINAL_DECISION,
  startScenario,
  type Scenario,
  SETUP_TIMEOUT_MS,
} from '../support/e2e/scenario';
import { newTaskId, taskEvent, type PushedImage } from '../guard/support';

let s: Scenario;
let signed: PushedImage;
let unsigned: PushedImage;
const lambdas: LambdaProcess[] = [];

beforeAll(async () => {
  s = await startScenario();
  signed = await s.push('app', '1.0');
  unsigned = await s.push('app', 'unsigned', { signed: false });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

async function lambda(): Promise<LambdaProcess> {
  const lp = await s.guard.startLambda();
  lambdas.push(lp);
  return lp;
}

function callCounts() {
  return {
    stopTask: s.guard.ecs.callsOf('StopTask').length,
    publish: s.guard.sns.callsOf('Publish').length,
    ledger: s.guard.ledgerCalls().length,
  };
}

describe('the synthesized Lambda asset', () => {
  it('runs the Node.js runtime the template names, from the bundle beside its compiled policy', () => {
    expect(s.guard.synth.runtime).toBe('nodejs24.x');
    expect(readdirSync(s.guard.synth.assetDir)).toEqual(expect.arrayContaining(['index.js', 'policy.json']));
    const policy = JSON.parse(readFileSync(path.join(s.guard.synth.assetDir, 'policy.json'), 'utf8'));
    expect(policy).toMatchObject({ mode: 'enforce', registries: { insecure: [s.registry.host] } });
    expect(s.guard.env).toMatchObject({
      IMAGE_GUARD_POLICY_FILE: 'policy.json',
      IMAGE_GUARD_TOPIC_ARN: E2E_TOPIC_ARN,
      IMAGE_GUARD_LEDGER_TABLE: s.guard.dynamodb.tableName,
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('keeps the Notation verifier (jose, cbor2, pkijs) out of index.js: a cosign-only policy ships none of it', () => {
    const index = readFileSync(path.join(s.guard.synth.assetDir, 'index.js'), 'utf8');
    expect(index).not.toMatch(/pkijs|flattenedVerify|Signature1/);
    expect(index).toContain('notation.js');
    expect(readdirSync(s.guard.synth.assetDir)).not.toContain('notation.js');
  });
});

describe('deny: an unsigned image in enforce mode', () => {
  const taskId = newTaskId();
  let event: Record<string, unknown>;
  let taskArn: string;
  let first: LambdaProcess;

  beforeAll(async () => {
    event = taskEvent({
      taskId,
      containers: [{ name: 'api', image: unsigned.image, imageDigest: unsigned.digest }],
    });
    taskArn = (event.detail as { taskArn: string }).taskArn;
    first = await lambda();
  });

  it('stops the task once and alerts once, each claimed in the ledger first', async () => {
    const before = callCounts();
    const invocation = await first.invoke(event);
    expect(invocation).toEqual({ ok: true, result: undefined });

    expect(s.guard.ecs.callsOf('StopTask').length - before.stopTask).toBe(1);
    expect(s.guard.ecs.stopped.at(-1)).toMatchObject({
      cluster: (event.detail as { clusterArn: string }).clusterArn,
      task: taskArn,
      reason: expect.stringContaining('image-guard'),
    });
    expect(s.guard.sns.callsOf('Publish').length - before.publish).toBe(1);
    const alert = s.guard.sns.published.at(-1)!;
    expect(alert.topicArn).toBe(E2E_TOPIC_ARN);
    expect(alert.message).toContain(taskArn);
    // Stop: claim, done; alert: claim, group window, done; then the final decision remembered.
    expect(s.guard.ledgerCalls().slice(before.ledger)).toEqual([
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
      'PutItem',
    ]);

    const [record, ...more] = decisionsFor(taskArn, first);
    expect(more).toHaveLength(0);
    expect(record).toMatchObject({
      level: 'INFO',
      mode: 'enforce',
      action: 'stopped',
      taskArn,
      containers: [
        expect.objectContaining({
          name: 'api',
          digest: unsigned.digest,
          digestSource: 'event',
          outcome: 'deny',
          rule: 'team-apps',
        }),
      ],
    });
    expect(first.metric('TasksStopped')).toBe(1);
    expect(first.metric('TasksAlerted')).toBe(1);
  });

  it("keeps the claims in the template's table, expiring through its TTL attribute", async () => {
    const items = (await s.guard.dynamodb.items()).filter((i) => i.taskArn?.S === taskArn);
    expect(items).toHaveLength(1);
    const ttl = s.guard.dynamodb.ttlAttribute;
    expect(ttl).toBe('expiresAt');
    expect(Number(items[0]![ttl!]?.N)).toBeGreaterThan(Date.now() / 1000);
  });

  it('does nothing more when EventBridge delivers the event again, to another execution environment', async () => {
    const before = callCounts();
    const second = await lambda();
    const invocation = await second.invoke(event);
    expect(invocation.ok).toBe(true);

    expect(s.guard.ecs.callsOf('StopTask').length).toBe(before.stopTask);
    expect(s.guard.sns.callsOf('Publish').length).toBe(before.publish);
    // Both claims are refused by the conditional writes (then read: done, not held): that is how a
    // second instance knows.
    // The decision, final, is remembered again (the same item, rewritten).
    expect(s.guard.ledgerCalls().slice(before.ledger)).toEqual([
      'UpdateItem',
      'GetItem',
      'UpdateItem',
      'GetItem',
      'PutItem',
    ]);
    expect(decisionsFor(taskArn, second)).toEqual([
      expect.objectContaining({ action: 'none', containers: [expect.objectContaining({ outcome: 'deny' })] }),
    ]);
  });
});

describe('allow: a signed image', () => {
  it('is verified with the key KMS returns and nothing is stopped, alerted or claimed', async () => {
    const before = { ...callCounts(), kms: s.guard.kms.callsOf('GetPublicKey').length };
    const taskId = newTaskId();
    const event = taskEvent({
      taskId,
      containers: [{ name: 'api', image: signed.image, imageDigest: signed.digest }],
    });
    const taskArn = (event.detail as { taskArn: string }).taskArn;
    const lp = await lambda();
    expect(await lp.invoke(event)).toEqual({ ok: true, result: undefined });

    // Nothing claimed; only the final decision remembered for the sweep.
    expect(callCounts()).toEqual({
      stopTask: before.stopTask,
      publish: before.publish,
      ledger: before.ledger + MEMORY_WRITES_PER_FINAL_DECISION,
    });
    // A fresh execution environment loads the key once.
    expect(s.guard.kms.callsOf('GetPublicKey').length - before.kms).toBe(1);
    expect(decisionsFor(taskArn, lp)).toEqual([
      expect.objectContaining({
        action: 'none',
        containers: [
          expect.objectContaining({
            outcome: 'allow',
            digest: signed.digest,
            keys: ['ci'],
            signaturesFound: 1,
          }),
        ],
      }),
    ]);
    expect(lp.metric('Verified')).toBe(1);
  });
});
