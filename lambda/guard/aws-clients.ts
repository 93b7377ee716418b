/**
 * The guard's ECS, SNS and DynamoDB clients, each made on first use (a guard that only allows never
 * loads them) with the timeouts every AWS client has (engine.ts AWS_CLIENT_DEFAULTS) and its own
 * retry count. Each `import()` names its package, so the bundler keeps it external and lazy.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { lazyClient, type Sender } from '../aws/lazy-client';
import { AWS_CLIENT_DEFAULTS } from './engine';

export function lazyEcsClient(region?: string): Sender<ECSClient> {
  return lazyClient(
    async () =>
      new (await import('@aws-sdk/client-ecs')).ECSClient({ region, maxAttempts: 5, ...AWS_CLIENT_DEFAULTS }),
  );
}

export function lazySnsClient(region?: string): Sender<SNSClient> {
  return lazyClient(
    async () =>
      new (await import('@aws-sdk/client-sns')).SNSClient({ region, maxAttempts: 5, ...AWS_CLIENT_DEFAULTS }),
  );
}

export function lazyDynamoDbClient(region?: string): Sender<DynamoDBClient> {
  return lazyClient(
    async () =>
      new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({
        region,
        maxAttempts: 3,
        ...AWS_CLIENT_DEFAULTS,
      }),
  );
}
