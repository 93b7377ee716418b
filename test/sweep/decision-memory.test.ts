/**
 * The memory of final decisions in the ledger's table, against a real DynamoDB (dynalite): its own
 * key prefix next to the ledger's items, batched reads of more than 100 tasks, damaged items.
 */
import { BatchGetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDecisionLedger } from '../../lambda/enforce/decision-ledger';
import {
  DynamoDecisionMemory,
  InMemoryDecisionMemory,
  type DecisionMemory,
} from '../../lambda/sweep/decision-memory';
import type { FinalDecision } from '../../lambda/sweep/final-decision';
import { startLedgerTable, type LedgerTable } from '../enforce/support/ledger-table';

let table: LedgerTable;
beforeAll(async () => {
  table = await startLedgerTable();
});
afterAll(() => table.stop());

let n = 0;
const taskArn = () => `arn:aws:ecs:eu-west-1:111122223333:task/prod/${(++n).toString(16).padStart(32, '0')}`;

function decision(arn: string, extra: Partial<FinalDecision> = {}): FinalDecision {
  return {
    taskArn: arn,
    policySha256: 'a'.repeat(64),
    decidedAt: 1_764_500_000_000,
    digests: { app: `sha256:${'b'.repeat(64)}` },
    outcome: 'pass',
    fingerprint: 'f'.repeat(32),
    alertGroups: [],
    ...extra,
  };
}

/** Counts the BatchGetItem calls a memory makes. */
function counting(client: DynamoDBClient) {
  const calls: number[] = [];
  return {
    calls,
    sender: {
      send: ((command: unknown, options?: unknown) => {
        if (command instanceof BatchGetItemCommand)
          calls.push(Object.values(command.input.RequestItems ?? {})[0]?.Keys?.length ?? 0);
        return client.send(command as never, options as never);
      }) as DynamoDBClient['send'],
    },
  };
}

const implementations: [string, () => DecisionMemory][] = [
  ['DynamoDecisionMemory (dynalite)', () => new DynamoDecisionMemory(table.client, table.tableName)],
  ['InMemoryDecisionMemory', () => new InMemoryDecisionMemory()],
];

describe.each(implementations)('%s', (_name, make) => {
  it('reads back what was written, and nothing for an unknown task', async () => {
    const memory = make();
    const arn = taskArn();
    const written = decision(arn, { outcome: 'fail', alertGroups: ['group#abc'] });
    await memory.write(written);
    const read = await memory.read([arn, taskArn()]);
    expect([...read.keys()]).toEqual([arn]);
    expect(read.get(arn)).toEqual(written);
  });

  it('a later write replaces the earlier one', async () => {
    const memory = make();
    const arn = taskArn();
    await memory.write(decision(arn));
    await memory.write(decision(arn, { policySha256: 'c'.repeat(64), decidedAt: 1_764_600_000_000 }));
    expect((await memory.read([arn])).get(arn)).toMatchObject({
      policySha256: 'c'.repeat(64),
      decidedAt: 1_764_600_000_000,
    });
  });
});

describe('DynamoDecisionMemory in the ledger table', () => {
  it('lives under final#<taskArn>, apart from the ledger item of the same task', async () => {
    const ledger = new DynamoDecisionLedger(table.client, table.tableName);
    const memory = new DynamoDecisionMemory(table.client, table.tableName);
    const arn = taskArn();
    await ledger.claim(arn, 'stop', 'd1');
    await ledger.complete(arn, 'stop', 'd1', 'stopped');
    await memory.write(decision(arn));
    expect(await ledger.claim(arn, 'stop', 'd2')).toEqual({ status: 'done', outcome: 'stopped' });
    expect((await memory.read([arn])).get(arn)?.outcome).toBe('pass');
  });

  it('reads 150 tasks in two BatchGetItem calls of at most 100 keys', async () => {
    const arns = Array.from({ length: 150 }, taskArn);
    const writer = new DynamoDecisionMemory(table.client, table.tableName);
    for (const arn of arns.filter((_, i) => i % 2 === 0)) await writer.write(decision(arn));
    const { calls, sender } = counting(table.client);
    const read = await new DynamoDecisionMemory(sender, table.tableName).read(arns);
    expect(calls).toEqual([100, 50]);
    expect(read.size).toBe(75);
  });

  it('a damaged item reads as "no final decision" (the task is decided again, never skipped)', async () => {
    const arn = taskArn();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          taskArn: { S: `final#${arn}` },
          policySha256: { S: 'a'.repeat(64) },
          decidedAt: { N: '1' },
          digests: { S: '{not json' },
          outcome: { S: 'pass' },
          fingerprint: { S: 'f' },
          alertGroups: { S: '[]' },
        },
      }),
    );
    const memory = new DynamoDecisionMemory(table.client, table.tableName);
    expect((await memory.read([arn])).size).toBe(0);
  });
});
