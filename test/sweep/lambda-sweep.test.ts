/**
 * The sweep's Lambda wiring: createLambdaSweep from the same configuration as the event path (policy
 * file checked against its hash), and its POLICY_INVALID fallback that fails every run loudly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, ECSClient, ListClustersCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { GuardError } from '../../lambda/errors';
import { policySha256 } from '../../lambda/policy/hash';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import { createLambdaSweep } from '../../lambda/sweep/lambda-sweep';
import type { SweepRunRecord } from '../../lambda/sweep/sweep';
import { RecordingLogger, RecordingMetrics, REGION, TOPIC_ARN } from '../guard/support';
import { describedTask } from './support';

const ecs = mockClient(ECSClient);
const ddb = mockClient(DynamoDBClient);
let dir: string;

/** The compiled policy, as the construct ships it beside the handler. */
const POLICY = JSON.stringify(
  parsePolicy(JSON.stringify({ mode: 'audit', noMatch: 'allow' }), { source: 'policy.yaml' }),
);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'image-guard-sweep-'));
  writeFileSync(path.join(dir, 'policy.json'), POLICY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  ecs.reset();
  ddb.reset();
});

const config = (sha?: string) => ({
  policyFile: path.join(dir, 'policy.json'),
  ...(sha === undefined ? {} : { policySha256: sha }),
  topicArn: TOPIC_ARN,
  ledgerTable: 'ledger',
  verifyDeadlineMs: 5000,
  region: REGION,
});

describe('createLambdaSweep', () => {
  it('sweeps with the shipped policy, reading remembered decisions from the ledger table', async () => {
    const logger = new RecordingLogger();
    ecs
      .on(ListClustersCommand)
      .resolves({ clusterArns: [`arn:aws:ecs:${REGION}:111122223333:cluster/prod`] });
    ecs
      .on(ListTasksCommand)
      .resolves({ taskArns: [`arn:aws:ecs:${REGION}:111122223333:task/prod/${'a'.repeat(32)}`] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [describedTask({ cluster: 'prod', id: 'a'.repeat(32), image: 'registry.example/app:1' })],
    });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { ledger: [] } });
    const hash = policySha256(parsePolicy(POLICY, { source: 'policy.json' }));
    const sweep = createLambdaSweep(config(hash), logger, new RecordingMetrics());

    const record = (await sweep.run({ deadlineMs: 60_000 })) as SweepRunRecord;

    expect(record).toMatchObject({
      type: 'image-guard.sweep',
      policySha256: hash,
      clusters: 1,
      listed: 1,
      decided: 1,
    });
    expect(ddb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems?.ledger?.Keys).toEqual([
      { taskArn: { S: `final#arn:aws:ecs:${REGION}:111122223333:task/prod/${'a'.repeat(32)}` } },
    ]);
  });

  it('a policy that does not match its hash fails every run, logged with POLICY_INVALID', async () => {
    const logger = new RecordingLogger();
    const sweep = createLambdaSweep(config('0'.repeat(64)), logger, new RecordingMetrics());
    await expect(sweep.run()).rejects.toBeInstanceOf(GuardError);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'sweep',
        fields: expect.objectContaining({ reason: ReasonCode.POLICY_INVALID }),
      }),
    ]);
    expect(ecs.calls()).toHaveLength(0);
  });
});
