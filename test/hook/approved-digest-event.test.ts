/**
 * The hook's approval seen from the event path: a tag-only revision is approved on the digest its tag
 * named at rollout; a task of that revision that reports another digest (the tag moved before the pull)
 * is verified on its own digest and its record says it differs from the approved one.
 */
import {
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DecisionRecord } from '../../lambda/decision/types';
import { InMemoryDecisionLedger } from '../../lambda/enforce/decision-ledger';
import { composeGuard } from '../../lambda/guard/composition';
import { InMemoryApprovedDigests } from '../../lambda/hook/approved-digests';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  FAST_REGISTRY,
  KMS_KEY_ARN,
  REGION,
  RecordingLogger,
  RecordingMetrics,
  TOPIC_ARN,
  answerKms,
  newTaskId,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type PushedImage,
} from '../guard/support';
import {
  CLUSTER_ARN,
  buildHook,
  deploymentArn,
  describedRevision,
  hookPayload,
  revisionArn,
  serviceArn,
} from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

const ciKey = generateTestKey('p256');
let registry: StartedRegistry;
let signed: PushedImage;
let moved: PushedImage;

beforeAll(async () => {
  registry = await startRegistry();
  signed = await pushTestImage(registry, 'team/web', '2.0');
  await pushLegacySignatures(registry, signed, [ciKey]);
});
afterAll(async () => registry?.stop());

beforeEach(() => {
  ecs.reset();
  sns.reset();
  kms.reset();
  answerKms(kms, ciKey);
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  // The tag-only revision, without digests (before its first task pulls), and its deployment.
  ecs
    .on(DescribeServiceRevisionsCommand)
    .resolves(describedRevision({ service: 'web', images: [{ containerName: 'app', image: signed.image }] }));
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: deploymentArn('web'),
        serviceArn: serviceArn('web'),
        clusterArn: CLUSTER_ARN,
        targetServiceRevisionArn: revisionArn('web'),
        status: 'IN_PROGRESS',
        createdAt: new Date('2026-11-30T06:59:00Z'),
      },
    ],
  });
});

const policyJson = () => ({
  mode: 'enforce',
  noMatch: 'deny',
  onError: 'alert',
  keys: [{ name: 'ci', kms: KMS_KEY_ARN }],
  rules: [{ name: 'team-apps', match: { images: [`${registry.host}/team/**`] }, keys: ['ci'] }],
  registries: { insecure: [registry.host] },
});

function guardReading(approved: InMemoryApprovedDigests) {
  const logger = new RecordingLogger();
  const { guard } = composeGuard({
    policy: parsePolicy(JSON.stringify(policyJson()), { source: 'test-policy.json' }),
    region: REGION,
    registry: FAST_REGISTRY,
    kms: new KmsKeyLoader({ clientFor: (r) => new KMSClient({ region: r ?? REGION }), failureBackoffMs: 0 }),
    ecs: new ECSClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    topicArn: TOPIC_ARN,
    ledger: new InMemoryDecisionLedger(),
    approvedDigests: approved,
    logger,
    metrics: new RecordingMetrics(),
    verifyDeadlineMs: 20_000,
  });
  return guard;
}

/** A task of the revision (same task definition), reporting `digest` for container `app`. */
function revisionTask(digest: string) {
  const event = taskEvent({
    taskId: newTaskId(),
    service: 'web',
    containers: [{ name: 'app', image: signed.image, imageDigest: digest }],
  });
  (event.detail as Record<string, unknown>).taskDefinitionArn = describedRevision({
    service: 'web',
    images: [],
  }).serviceRevisions![0]!.taskDefinition;
  return event;
}

async function decide(guard: ReturnType<typeof guardReading>, event: unknown): Promise<DecisionRecord> {
  const outcome = await guard.handle(event);
  if (outcome.kind !== 'decision') throw new Error(`expected a decision: ${JSON.stringify(outcome.record)}`);
  return outcome.record;
}

it('tag-only revision → approved digest recorded; a later task with another (unsigned) digest → denied, the record says it differs', async () => {
  const approved = new InMemoryApprovedDigests();
  const hook = buildHook({ policy: policyJson(), approved });
  const { response, record } = await hook.hook.handle(hookPayload({ service: 'web' }));
  expect(response.hookStatus).toBe('SUCCEEDED');
  expect(record.approved).toEqual(['app']);
  expect(await approved.read(revisionArn('web'))).toEqual(
    new Map([['app', { digest: signed.digest, source: 'resolved' }]]),
  );

  // The tag moves to an unsigned image before the first task pulls.
  moved = await pushTestImage(registry, 'team/web', '2.0');
  expect(moved.digest).not.toBe(signed.digest);

  const guard = guardReading(approved);
  const denied = await decide(guard, revisionTask(moved.digest));
  expect(denied.action).toBe('stopped');
  expect(denied.containers[0]).toMatchObject({
    name: 'app',
    outcome: 'deny',
    reason: ReasonCode.NO_SIGNATURES,
    digest: moved.digest,
    digestSource: 'event',
    approvedDigest: signed.digest,
    digestDiffersFromApproved: true,
  });
  expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
  expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(1);
  // One for the hook, one for the event path's tie of the task to its revision.
  expect(ecs.commandCalls(DescribeServiceRevisionsCommand)).toHaveLength(2);

  // A task that runs the approved digest: allowed, and the record says it is the approved one.
  const allowed = await decide(guard, revisionTask(signed.digest));
  expect(allowed.action).toBe('none');
  expect(allowed.containers[0]).toMatchObject({
    outcome: 'allow',
    approvedDigest: signed.digest,
    digestDiffersFromApproved: false,
  });
});

it('no approval for the revision: the record has no approval fields (the contract is unchanged)', async () => {
  const guard = guardReading(new InMemoryApprovedDigests());
  const record = await decide(guard, revisionTask(signed.digest));
  expect(record.containers[0]!.outcome).toBe('allow');
  expect(record.containers[0]).not.toHaveProperty('approvedDigest');
  expect(record.containers[0]).not.toHaveProperty('digestDiffersFromApproved');
});
