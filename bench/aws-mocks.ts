/**
 * AWS as the Lambda sees it, answered by aws-sdk-client-mock (no network): KMS GetPublicKey with
 * a real DER SPKI, ECS StopTask, SNS Publish, DynamoDB UpdateItem (the decision ledger), and ECR
 * (only to prove it is not called for a non-ECR registry). Every call is counted.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';

const metadata = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };

export interface AwsCallCounts {
  kmsGetPublicKey: number;
  ecsStopTask: number;
  snsPublish: number;
  dynamoDbUpdateItem: number;
  ecrAny: number;
}

export interface AwsMocks {
  counts(): AwsCallCounts;
  /** Forgets recorded calls (responses stay configured). */
  resetHistory(): void;
  restore(): void;
}

export function mockAws(options: { keyArn: string; spkiDer: Buffer }): AwsMocks {
  const kms = mockClient(KMSClient);
  const ecs = mockClient(ECSClient);
  const sns = mockClient(SNSClient);
  const ddb = mockClient(DynamoDBClient);
  const ecr = mockClient(ECRClient);
  kms.on(GetPublicKeyCommand).resolves({
    $metadata: { ...metadata, requestId: randomUUID() },
    KeyId: options.keyArn,
    PublicKey: new Uint8Array(options.spkiDer),
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['ECDSA_SHA_256'],
  });
  ecs.on(StopTaskCommand).callsFake((input: { task?: string }) => ({
    $metadata: { ...metadata, requestId: randomUUID() },
    task: { taskArn: input.task, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
  }));
  sns.on(PublishCommand).callsFake(() => ({ $metadata: metadata, MessageId: randomUUID() }));
  ddb.on(UpdateItemCommand).resolves({ $metadata: metadata });
  const mocks = [kms, ecs, sns, ddb, ecr];
  return {
    counts: () => ({
      kmsGetPublicKey: kms.commandCalls(GetPublicKeyCommand).length,
      ecsStopTask: ecs.commandCalls(StopTaskCommand).length,
      snsPublish: sns.commandCalls(PublishCommand).length,
      dynamoDbUpdateItem: ddb.commandCalls(UpdateItemCommand).length,
      ecrAny: ecr.calls().length,
    }),
    resetHistory: () => mocks.forEach((m) => m.resetHistory()),
    restore: () => mocks.forEach((m) => m.restore()),
  };
}
