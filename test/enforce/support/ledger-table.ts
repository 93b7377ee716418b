/**
 * A real DynamoDB (dynalite, on loopback) with the ledger table as the stack creates it: partition
 * key `taskArn` (S), pay per request. Conditional writes, ReturnValues and expressions are
 * DynamoDB's own semantics, not an emulation written for the test.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

export interface LedgerTable {
  client: DynamoDBClient;
  tableName: string;
  stop(): Promise<void>;
}

let counter = 0;

export async function startLedgerTable(): Promise<LedgerTable> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  counter += 1;
  const tableName = `image-guard-ledger-${counter}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'taskArn', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'taskArn', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    client,
    tableName,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
