/** The approved-digest store in the ledger table: key, TTL, and only well-formed entries read back. */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { APPROVED_TTL_DAYS, DynamoApprovedDigests } from '../../lambda/hook/approved-digests';

const dynamodb = mockClient(DynamoDBClient);
const REVISION = 'arn:aws:ecs:eu-west-1:111122223333:service-revision/prod-eu/web/9313423515462893900';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const NOW = Date.parse('2026-11-30T07:00:00Z');

beforeEach(() => dynamodb.reset());

it("writes one item per revision under revision#<arn>, with the table's TTL attribute", async () => {
  dynamodb.on(PutItemCommand).resolves({});
  const store = new DynamoApprovedDigests(new DynamoDBClient({ region: 'eu-west-1' }), 'ledger', () => NOW);
  await store.write(REVISION, new Map([['app', { digest: DIGEST, source: 'resolved' }]]), 'decision-1');
  const calls = dynamodb.commandCalls(PutItemCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({
    TableName: 'ledger',
    Item: {
      taskArn: { S: `revision#${REVISION}` },
      revisionArn: { S: REVISION },
      approvedBy: { S: 'decision-1' },
      approvedAt: { S: '2026-11-30T07:00:00.000Z' },
      containers: { M: { app: { M: { digest: { S: DIGEST }, source: { S: 'resolved' } } } } },
      expiresAt: { N: String(NOW / 1000 + APPROVED_TTL_DAYS * 86_400) },
    },
  });
});

it('reads back only well-formed entries (a digest and a known source)', async () => {
  dynamodb.on(GetItemCommand).resolves({
    Item: {
      taskArn: { S: `revision#${REVISION}` },
      containers: {
        M: {
          app: { M: { digest: { S: DIGEST }, source: { S: 'serviceRevision' } } },
          tagged: { M: { digest: { S: 'latest' }, source: { S: 'resolved' } } },
          odd: { M: { digest: { S: DIGEST }, source: { S: 'guess' } } },
        },
      },
    },
  });
  const store = new DynamoApprovedDigests(new DynamoDBClient({ region: 'eu-west-1' }), 'ledger');
  expect(await store.read(REVISION)).toEqual(
    new Map([['app', { digest: DIGEST, source: 'serviceRevision' }]]),
  );
  expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({
    Key: { taskArn: { S: `revision#${REVISION}` } },
    ConsistentRead: true,
  });
});

it('no item: no approvals', async () => {
  dynamodb.on(GetItemCommand).resolves({});
  const store = new DynamoApprovedDigests(new DynamoDBClient({ region: 'eu-west-1' }), 'ledger');
  expect((await store.read(REVISION)).size).toBe(0);
});
