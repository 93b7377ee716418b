import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDecisionLedger } from '../../lambda/enforce/decision-ledger';

const ddbMock = mockClient(DynamoDBClient);
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/abc';

/** Emulates DynamoDB's conditional UpdateItem on one table, so claim/release semantics are real. */
function emulateTable(): Map<string, Record<string, string>> {
  const items = new Map<string, Record<string, string>>();
  ddbMock.on(UpdateItemCommand).callsFake((input) => {
    const key = input.Key.taskArn.S as string;
    const item = items.get(key) ?? {};
    const attr = input.ExpressionAttributeNames['#claim'] as string;
    if (input.ConditionExpression === 'attribute_not_exists(#claim)') {
      if (item[attr] !== undefined) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      items.set(key, { ...item, [attr]: input.ExpressionAttributeValues[':id'].S });
    } else {
      if (item[attr] !== input.ExpressionAttributeValues[':id'].S) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      const { [attr]: _removed, ...rest } = item;
      items.set(key, rest);
    }
    return {};
  });
  return items;
}

beforeEach(() => ddbMock.reset());

describe('DynamoDecisionLedger', () => {
  it('lets exactly one caller claim an action for a task', async () => {
    emulateTable();
    const ledger = new DynamoDecisionLedger(new DynamoDBClient({}), 'ledger', 7, () => 1_700_000_000_000);
    const results = await Promise.all(['a', 'b', 'c'].map((id) => ledger.claim(TASK, 'stop', id)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await ledger.claim(TASK, 'alert', 'a')).toBe(true);
    const input = ddbMock.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.TableName).toBe('ledger');
    expect(input.ExpressionAttributeValues?.[':exp']).toEqual({ N: String(1_700_000_000 + 7 * 86_400) });
  });

  it('releases only its own claim', async () => {
    const items = emulateTable();
    const ledger = new DynamoDecisionLedger(new DynamoDBClient({}), 'ledger');
    expect(await ledger.claim(TASK, 'stop', 'mine')).toBe(true);
    await ledger.release(TASK, 'stop', 'someone-else');
    expect(items.get(TASK)?.stopClaimedBy).toBe('mine');
    await ledger.release(TASK, 'stop', 'mine');
    expect(items.get(TASK)?.stopClaimedBy).toBeUndefined();
    expect(await ledger.claim(TASK, 'stop', 'retry')).toBe(true);
  });

  it('propagates other DynamoDB failures (never a silent pass)', async () => {
    ddbMock
      .on(UpdateItemCommand)
      .rejects(
        Object.assign(new Error('Throughput exceeds'), { name: 'ProvisionedThroughputExceededException' }),
      );
    const ledger = new DynamoDecisionLedger(new DynamoDBClient({}), 'ledger');
    await expect(ledger.claim(TASK, 'stop', 'x')).rejects.toThrow(/Throughput/);
  });
});
