/**
 * The guard under real AWS conditions: digests that only DescribeTasks or the service revision know,
 * AWS-injected containers (GuardDuty agent, Service Connect proxy), look-alike user containers, and
 * containers the guard cannot identify. A real registry on loopback; ECS answers through
 * aws-sdk-client-mock, shaped like the real responses.
 */
import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DecisionRecord } from '../../lambda/decision/types';
import { ReasonCode } from '../../lambda/reasons';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey, type TestKey } from '../support/signer';
import {
  KMS_KEY_ARN,
  REGION,
  ACCOUNT,
  answerKms,
  buildGuard,
  newTaskId,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type GuardSetup,
  type PushedImage,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

let registry: StartedRegistry;
const ciKey: TestKey = generateTestKey('p256');
let signed: PushedImage;
let unsigned: PushedImage;

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-eu`;
const GUARDDUTY = 'aws-guardduty-agent-FvWGoDU';
const SERVICE_CONNECT = 'ecs-service-connect-oRK9o';
const AGENT_DIGEST = `sha256:${'35'.repeat(32)}`;

beforeAll(async () => {
  registry = await startRegistry();
  signed = await pushTestImage(registry, 'team/app', 'signed');
  await pushLegacySignatures(registry, signed, [ciKey]);
  unsigned = await pushTestImage(registry, 'team/app', 'unsigned');
});

afterAll(async () => registry?.stop());

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  answerKms(kms, ciKey);
});

function policy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'enforce',
    noMatch: 'deny',
    onError: 'stop',
    keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
    rules: [{ name: 'team-apps', match: { images: [`${registry.host}/team/**`] }, keys: ['ci'] }],
    registries: { insecure: [registry.host] },
    ...overrides,
  };
}

async function decide(setup: GuardSetup, event: unknown): Promise<DecisionRecord> {
  const outcome = await setup.guard.handle(event);
  expect(outcome.kind).toBe('decision');
  return outcome.record as DecisionRecord;
}

const stops = () => ecs.commandCalls(StopTaskCommand);
const definedAs = (taskDefinitionArn: string, names: string[]) =>
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: taskDefinitionArn }).resolves({
    taskDefinition: {
      taskDefinitionArn,
      family: taskDefinitionArn.split('/')[1]?.split(':')[0],
      revision: Number(taskDefinitionArn.split(':').pop()),
      containerDefinitions: names.map((name) => ({
        name,
        image: `${registry.host}/team/app:signed`,
        essential: true,
      })),
      status: 'ACTIVE',
    },
  });

function guardDutyTask(app: PushedImage, agent: { name?: string; image?: string } = {}) {
  const taskId = newTaskId();
  const event = taskEvent({
    fixture: 'fargate-guardduty-pending',
    taskId,
    containers: [
      { name: 'api', image: app.image, imageDigest: app.digest },
      {
        name: agent.name ?? GUARDDUTY,
        ...(agent.image ? { image: agent.image } : {}),
        imageDigest: AGENT_DIGEST,
      },
    ],
  });
  return { event, taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-eu/${taskId}` };
}
const PAYMENTS_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/payments-api:42`;
const WEB_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web-frontend:118`;

describe('AWS-injected containers', () => {
  it('trusts the GuardDuty agent (digest, no image) beside a signed app: allowed', async () => {
    definedAs(PAYMENTS_TD, ['api']);
    const setup = buildGuard({ policy: policy() });
    const record = await decide(setup, guardDutyTask(signed).event);
    expect(record.action).toBe('none');
    expect(record.containers).toEqual([
      expect.objectContaining({ name: 'api', outcome: 'allow', reason: ReasonCode.VERIFIED }),
      expect.objectContaining({
        name: GUARDDUTY,
        image: null,
        digest: AGENT_DIGEST,
        digestSource: 'event',
        outcome: 'skip',
        reason: ReasonCode.TRUSTED_IMAGE,
        message: expect.stringMatching(
          /AWS-injected GuardDuty Runtime Monitoring agent \(not in the task definition\)/,
        ),
      }),
    ]);
    // The task definition is read once per revision: a second task of it costs no call.
    await decide(setup, guardDutyTask(signed).event);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
    expect(stops()).toHaveLength(0);
  });

  it('still stops the unsigned app beside the GuardDuty agent', async () => {
    definedAs(PAYMENTS_TD, ['api']);
    const setup = buildGuard({ policy: policy() });
    const { event, taskArn } = guardDutyTask(unsigned);
    const record = await decide(setup, event);
    expect(record.action).toBe('stopped');
    expect(record.containers.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['api', 'deny', ReasonCode.NO_SIGNATURES],
      [GUARDDUTY, 'skip', ReasonCode.TRUSTED_IMAGE],
    ]);
    expect(stops()[0]?.args[0].input.task).toBe(taskArn);
  });

  it('verifies a look-alike container the user defined (its name is in the task definition)', async () => {
    definedAs(PAYMENTS_TD, ['api', GUARDDUTY]);
    const setup = buildGuard({ policy: policy() });
    const record = await decide(setup, guardDutyTask(signed, { image: unsigned.image }).event);
    expect(record.containers[1]).toMatchObject({
      name: GUARDDUTY,
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
    });
    expect(record.action).toBe('stopped');
  });

  it('never skips a look-alike the user defined, even reported without an image like the real agent', async () => {
    definedAs(PAYMENTS_TD, ['api', GUARDDUTY]);
    const setup = buildGuard({ policy: policy() });
    const record = await decide(setup, guardDutyTask(signed).event);
    expect(record.containers[1]).toMatchObject({
      name: GUARDDUTY,
      outcome: 'error',
      reason: ReasonCode.CONTAINER_UNIDENTIFIED,
    });
    expect(record.containers[1]?.message).toMatch(/named like an AWS agent, but not one ECS injected/);
    expect(record.action).toBe('stopped');
  });

  it('does not trust an agent-named container whose image is not AWS’s agent image', async () => {
    definedAs(PAYMENTS_TD, ['api']);
    const setup = buildGuard({ policy: policy() });
    const record = await decide(setup, guardDutyTask(signed, { image: unsigned.image }).event);
    expect(record.containers[1]).toMatchObject({ outcome: 'deny', reason: ReasonCode.NO_SIGNATURES });
  });

  it('is an error, not a skip, when the task definition cannot be read; onError: stop applies', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const setup = buildGuard({ policy: policy() });
    const record = await decide(setup, guardDutyTask(signed).event);
    expect(record.containers[1]).toMatchObject({
      name: GUARDDUTY,
      outcome: 'error',
      reason: ReasonCode.CONTAINER_UNIDENTIFIED,
      rule: 'team-apps',
    });
    expect(record.containers[1]?.message).toMatch(/task definition could not be read/);
    expect(record.containers[0]).toMatchObject({ outcome: 'allow' });
    expect(record.action).toBe('stopped');
  });

  it('verifies injected containers under awsInjectedContainers: verify (no image: an error)', async () => {
    definedAs(PAYMENTS_TD, ['api']);
    const setup = buildGuard({ policy: policy({ awsInjectedContainers: 'verify', onError: 'alert' }) });
    const record = await decide(setup, guardDutyTask(signed).event);
    expect(record.containers[1]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.CONTAINER_UNIDENTIFIED,
    });
    expect(record.action).toBe('alerted');
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
  });

  it('trusts the Service Connect proxy named by the ServiceConnect attachment', async () => {
    definedAs(WEB_TD, ['web']);
    const setup = buildGuard({ policy: policy() });
    const event = taskEvent({
      fixture: 'fargate-service-connect-running',
      taskId: newTaskId(),
      containers: [
        { name: 'web', image: unsigned.image, imageDigest: unsigned.digest },
        { name: SERVICE_CONNECT, image: null, imageDigest: null },
      ],
    });
    const record = await decide(setup, event);
    expect(record.containers[1]).toMatchObject({
      name: SERVICE_CONNECT,
      image: null,
      digest: null,
      outcome: 'skip',
      reason: ReasonCode.TRUSTED_IMAGE,
    });
    expect(record.containers[1]?.message).toMatch(/Service Connect proxy/);
    // The app container is still judged: unsigned, stopped.
    expect(record.action).toBe('stopped');
  });

  it('does not trust a Service Connect-named container without the attachment', async () => {
    definedAs(WEB_TD, ['web']);
    const setup = buildGuard({ policy: policy({ onError: 'alert' }) });
    const event = taskEvent({
      fixture: 'fargate-service-connect-running',
      taskId: newTaskId(),
      containers: [
        { name: 'web', image: signed.image, imageDigest: signed.digest },
        { name: SERVICE_CONNECT, image: null, imageDigest: null },
      ],
    });
    (event.detail as { attachments: unknown[] }).attachments = [];
    const record = await decide(setup, event);
    expect(record.containers[1]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.CONTAINER_UNIDENTIFIED,
    });
  });
});

describe('one container the guard cannot identify', () => {
  it('is an error for that container only; the others are decided and onError: stop stops the task', async () => {
    const setup = buildGuard({ policy: policy() });
    const event = taskEvent({
      taskId: newTaskId(),
      containers: [
        { name: 'api', image: signed.image, imageDigest: signed.digest },
        { name: 'worker', image: signed.image, imageDigest: 'sha256:not-a-digest' },
      ],
    });
    const record = await decide(setup, event);
    expect(record.containers.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['api', 'allow', ReasonCode.VERIFIED],
      ['worker', 'error', ReasonCode.CONTAINER_UNIDENTIFIED],
    ]);
    expect(record.containers[1]?.message).toBe(
      'detail.containers[1].imageDigest: is not a sha256:<64 hex> digest',
    );
    expect(record.action).toBe('stopped');
    expect(setup.metrics.counts.Errors).toBe(1);
  });

  it('records and counts an event it cannot parse as EventsInvalid, never as allowed', async () => {
    const setup = buildGuard({ policy: policy() });
    const event = taskEvent({ taskId: newTaskId(), containers: [{ image: signed.image }] });
    delete (event.detail as Record<string, unknown>).taskDefinitionArn;
    const outcome = await setup.guard.handle(event);
    expect(outcome.record).toMatchObject({
      type: 'image-guard.ignored',
      reason: ReasonCode.EVENT_INVALID,
      message: 'detail.taskDefinitionArn: is required',
    });
    expect(setup.logger.ignored()).toHaveLength(1);
    expect(setup.metrics.counts).toEqual({ EventsInvalid: 1 });
  });
});

describe('the digest that is judged', () => {
  it('prefers the event’s digest over one pinned in the task definition’s image', async () => {
    const setup = buildGuard({ policy: policy() });
    // The task definition pins the signed digest; ECS reports that the unsigned one runs.
    const event = taskEvent({
      taskId: newTaskId(),
      containers: [{ name: 'api', image: `${signed.image}@${signed.digest}`, imageDigest: unsigned.digest }],
    });
    const record = await decide(setup, event);
    expect(record.containers[0]).toMatchObject({
      digest: unsigned.digest,
      digestSource: 'event',
      outcome: 'deny',
      reason: ReasonCode.NO_SIGNATURES,
    });
    expect(record.action).toBe('stopped');
  });

  it('takes the digest DescribeTasks reports when the event has none', async () => {
    const setup = buildGuard({ policy: policy() });
    const taskId = newTaskId();
    const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-eu/${taskId}`;
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn, containers: [{ name: 'api', imageDigest: unsigned.digest, image: signed.image }] }],
      failures: [],
    });
    const event = taskEvent({ taskId, containers: [{ name: 'api', image: signed.image }] });
    const record = await decide(setup, event);
    expect(record.containers[0]).toMatchObject({
      digest: unsigned.digest,
      digestSource: 'describeTasks',
      outcome: 'deny',
    });
    expect(record.action).toBe('stopped');
    expect(ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER_ARN,
      tasks: [taskArn],
    });
  });

  describe('service revision', () => {
    const SERVICE = 'payments-api';
    const revision = (id: string) =>
      `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod-eu/${SERVICE}/${id}`;
    const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/payments-frontend:118`;

    function answerRevisions(revisions: { id: string; taskDefinition: string; digest: string }[]) {
      ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ reason: 'MISSING' }] });
      ecs.on(ListServiceDeploymentsCommand).resolves({
        serviceDeployments: revisions.map((r, i) => ({
          serviceDeploymentArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod-eu/${SERVICE}/dep${i}`,
          serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-eu/${SERVICE}`,
          clusterArn: CLUSTER_ARN,
          targetServiceRevisionArn: revision(r.id),
          status: i === 0 ? 'SUCCESSFUL' : 'STOPPED',
        })),
      });
      ecs.on(DescribeServiceRevisionsCommand).resolves({
        serviceRevisions: revisions.map((r) => ({
          serviceRevisionArn: revision(r.id),
          serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-eu/${SERVICE}`,
          clusterArn: CLUSTER_ARN,
          taskDefinition: r.taskDefinition,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          containerImages: [
            { containerName: 'api', imageDigest: r.digest, image: `${registry.host}/team/app:moving` },
          ],
          guardDutyEnabled: false,
        })),
        failures: [],
      });
    }

    async function movingTagTask(setup: GuardSetup) {
      // The tag now points at the unsigned image; the revision pinned the signed one.
      const moving = await pushTestImage(registry, 'team/app', 'moving');
      expect(moving.digest).not.toBe(signed.digest);
      const event = taskEvent({
        taskId: newTaskId(),
        service: SERVICE,
        containers: [{ name: 'api', image: moving.image }],
      });
      (event.detail as Record<string, unknown>).taskDefinitionArn = TD;
      return { record: await decide(setup, event), moving };
    }

    it('verifies the digest ECS pinned in the service revision when the tag now points elsewhere', async () => {
      answerRevisions([
        { id: '111', taskDefinition: TD, digest: signed.digest },
        { id: '110', taskDefinition: `${TD.slice(0, -3)}117`, digest: unsigned.digest },
      ]);
      const setup = buildGuard({ policy: policy() });
      const { record } = await movingTagTask(setup);
      expect(record.containers[0]).toMatchObject({
        digest: signed.digest,
        digestSource: 'serviceRevision',
        outcome: 'allow',
        reason: ReasonCode.VERIFIED,
      });
      expect(ecs.commandCalls(DescribeServiceRevisionsCommand)[0]?.args[0].input).toEqual({
        serviceRevisionArns: [revision('111'), revision('110')],
      });
    });

    it('does not use an ambiguous tie (two revisions run the task definition): resolves, unconfirmed', async () => {
      answerRevisions([
        { id: '112', taskDefinition: TD, digest: signed.digest },
        { id: '111', taskDefinition: TD, digest: signed.digest },
      ]);
      const setup = buildGuard({ policy: policy() });
      const { record, moving } = await movingTagTask(setup);
      expect(record.containers[0]).toMatchObject({
        digest: moving.digest,
        digestSource: 'resolved',
        outcome: 'deny',
        reason: ReasonCode.DIGEST_UNCONFIRMED,
      });
      expect(record.action).toBe('alerted');
      expect(stops()).toHaveLength(0);
    });
  });
});
