/**
 * The harness's AWS fakes as the real SDK clients see them: every answer deserializes into the
 * documented output shape (a fake the SDK cannot parse would make every scenario fail for the wrong
 * reason), faults arrive as the named exceptions, and calls are counted per caller.
 */
import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  DescribeServiceDeploymentsCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createPublicKey } from 'node:crypto';
import { startEcsFake, type EcsFake } from '../support/e2e/ecs-fake';
import { startKmsFake, type KmsFake } from '../support/e2e/kms-fake';
import { startSnsFake, type SnsFake } from '../support/e2e/sns-fake';
import { generateTestKey } from '../support/signer';

const REGION = 'eu-west-1';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:alerts';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu';
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/0123456789abcdef0123456789abcdef';
const TASK_DEF = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3';
const REVISION = 'arn:aws:ecs:eu-west-1:111122223333:service-revision/prod-eu/web/1870513641342596493';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const credentials = { accessKeyId: 'AKIDFAKESTEST0000000', secretAccessKey: 'secret' };
const key = generateTestKey('p256');

let ecs: EcsFake;
let sns: SnsFake;
let kms: KmsFake;

beforeAll(async () => {
  [ecs, sns, kms] = await Promise.all([
    startEcsFake(),
    startSnsFake(TOPIC),
    startKmsFake({ [KEY_ARN]: key }),
  ]);
  ecs.taskDefinitions.set(TASK_DEF, {
    taskDefinitionArn: TASK_DEF,
    containers: [{ name: 'web', image: 'r/web:1' }],
  });
  ecs.tasks.set(TASK, {
    taskArn: TASK,
    clusterArn: CLUSTER,
    taskDefinitionArn: TASK_DEF,
    group: 'service:web',
    startedBy: 'ecs-svc/1870513641342596493',
    containers: [{ name: 'web', image: 'r/web:1' }],
  });
  ecs.services.set('web', {
    serviceArn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod-eu/web',
    clusterArn: CLUSTER,
    deploymentId: 'ecs-svc/1870513641342596493',
    serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod-eu/web/abc',
    serviceRevisionArn: REVISION,
    taskDefinitionArn: TASK_DEF,
    containerImages: [{ containerName: 'web', image: 'r/web:1', imageDigest: DIGEST }],
  });
});
afterAll(async () => {
  await Promise.all([ecs?.stop(), sns?.stop(), kms?.stop()]);
});

const ecsClient = () => new ECSClient({ region: REGION, endpoint: ecs.url, credentials, maxAttempts: 1 });

describe('ECS fake', () => {
  it('answers DescribeTasks, DescribeTaskDefinition, service deployments and revisions in the SDK shapes', async () => {
    const client = ecsClient();
    const tasks = await client.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [TASK, `${TASK}0`] }),
    );
    expect(tasks.tasks?.[0]).toMatchObject({ taskArn: TASK, startedBy: 'ecs-svc/1870513641342596493' });
    expect(tasks.tasks?.[0]?.createdAt).toBeInstanceOf(Date);
    expect(tasks.failures).toEqual([{ arn: `${TASK}0`, reason: 'MISSING' }]);

    const def = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:3' }));
    expect(def.taskDefinition?.containerDefinitions?.map((c) => c.name)).toEqual(['web']);

    const deployments = await client.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'web' }),
    );
    const deploymentArn = deployments.serviceDeployments?.[0]?.serviceDeploymentArn;
    const described = await client.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn!] }),
    );
    expect(described.serviceDeployments?.[0]?.targetServiceRevision?.arn).toBe(REVISION);

    const revisions = await client.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [REVISION] }),
    );
    expect(revisions.serviceRevisions?.[0]?.containerImages).toEqual([
      { containerName: 'web', image: 'r/web:1', imageDigest: DIGEST },
    ]);
    client.destroy();
  });

  it('answers StopTask with the stopping task, holds an answer on request, and faults as ECS does', async () => {
    const client = ecsClient();
    const held = ecs.holdNextStopTask();
    const stopping = client.send(new StopTaskCommand({ cluster: CLUSTER, task: TASK, reason: 'test' }));
    expect((await held.received).input).toMatchObject({ task: TASK, reason: 'test' });
    held.release();
    expect((await stopping).task).toMatchObject({
      taskArn: TASK,
      desiredStatus: 'STOPPED',
      stoppedReason: 'test',
    });
    await expect(client.send(new StopTaskCommand({ cluster: CLUSTER, task: 'nope' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.',
    });
    expect(ecs.callsOf('StopTask', credentials.accessKeyId)).toHaveLength(2);
    expect(ecs.callsOf('StopTask', 'someone-else')).toHaveLength(0);
    client.destroy();
  });
});

describe('SNS fake', () => {
  it('publishes to its topic only, answering a message id, NotFound for any other topic', async () => {
    const client = new SNSClient({ region: REGION, endpoint: sns.url, credentials, maxAttempts: 1 });
    const out = await client.send(new PublishCommand({ TopicArn: TOPIC, Subject: 'S', Message: 'M' }));
    expect(out.MessageId).toBe(sns.published[0]!.messageId);
    expect(sns.published[0]).toMatchObject({ subject: 'S', message: 'M' });
    await expect(
      client.send(new PublishCommand({ TopicArn: `${TOPIC}-other`, Message: 'M' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    client.destroy();
  });
});

describe('KMS fake', () => {
  it('returns the real public key of the test key, NotFound for another key', async () => {
    const client = new KMSClient({ region: REGION, endpoint: kms.url, credentials, maxAttempts: 1 });
    const out = await client.send(new GetPublicKeyCommand({ KeyId: KEY_ARN }));
    expect(out).toMatchObject({ KeyId: KEY_ARN, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pem = createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    expect(pem).toBe(key.publicKeyPem);
    await expect(client.send(new GetPublicKeyCommand({ KeyId: `${KEY_ARN}0` }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    client.destroy();
  });
});
