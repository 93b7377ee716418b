/**
 * A real DynamoDB implementation in memory (dynalite) with the ledger table created exactly as the
 * template defines it, counting the calls each caller makes (by the access key id that signed them).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { accessKeyIdOf } from './aws-api-server';

// dynalite ships no types: a factory of http.Server with options (in memory when `path` is absent).
const dynalite = require('dynalite') as (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => http.Server;

const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';
/** The harness's own credentials: its calls (creating the table, reading it back) are not the Lambda's. */
const HARNESS_KEY_ID = 'AKIDE2EHARNESS000000';

export interface LocalDynamoDb {
  url: string;
  tableName: string;
  /** The TTL attribute the template enables (dynalite has no UpdateTimeToLive; the test checks items carry it). */
  ttlAttribute: string | undefined;
  /** Operations (`UpdateItem`, …) signed with `accessKeyId`, in order. */
  callsBy(accessKeyId: string): string[];
  /** Every item of the table, read with the harness's own credentials. */
  items(): Promise<Array<Record<string, AttributeValue>>>;
  stop(): Promise<void>;
}

/** Starts dynalite on loopback and creates `tableName` from the template's AWS::DynamoDB::Table properties. */
export async function startLocalDynamoDb(
  tableProperties: Record<string, unknown>,
  tableName: string,
): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls: Array<{ operation: string; accessKeyId: string | undefined }> = [];
  server.prependListener('request', (req: http.IncomingMessage) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    calls.push({ operation: target.replace(DYNAMODB_TARGET_PREFIX, ''), accessKeyId: accessKeyIdOf(req) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: HARNESS_KEY_ID, secretAccessKey: 'harness-secret' },
  });
  await client.send(new CreateTableCommand(createTableInput(tableProperties, tableName)));
  const ttl = tableProperties.TimeToLiveSpecification as
    { AttributeName?: string; Enabled?: boolean } | undefined;

  return {
    url,
    tableName,
    ttlAttribute: ttl?.Enabled ? ttl.AttributeName : undefined,
    callsBy: (accessKeyId) => calls.filter((c) => c.accessKeyId === accessKeyId).map((c) => c.operation),
    async items() {
      const out = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return out.Items ?? [];
    },
    async stop() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** CreateTable input from the template's properties: key schema, attributes, billing, as deployed. */
function createTableInput(props: Record<string, unknown>, tableName: string): CreateTableCommandInput {
  const billingMode = (props.BillingMode as 'PAY_PER_REQUEST' | 'PROVISIONED' | undefined) ?? 'PROVISIONED';
  return {
    TableName: tableName,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: billingMode,
    ...(billingMode === 'PROVISIONED'
      ? {
          ProvisionedThroughput:
            props.ProvisionedThroughput as CreateTableCommandInput['ProvisionedThroughput'],
        }
      : {}),
    ...(props.GlobalSecondaryIndexes
      ? {
          GlobalSecondaryIndexes:
            props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
        }
      : {}),
  };
}
