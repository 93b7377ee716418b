/**
 * The deployment hook wired like the hook Lambda (real registry client, verifier and crypto; ECS, SNS
 * and KMS through aws-sdk-client-mock), lifecycle hook payloads with the exact field names ECS
 * documents, and DescribeServiceRevisions answers shaped like the real API's.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { ECSClient, type DescribeServiceRevisionsCommandOutput } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { InMemoryApprovedDigests } from '../../lambda/hook/approved-digests';
import { composeHook } from '../../lambda/hook/compose-hook';
import type { DeploymentHook } from '../../lambda/hook/deployment-hook';
import type { HookTiming } from '../../lambda/hook/hook-answer';
import type { HookDecisionRecord } from '../../lambda/hook/hook-record';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { parsePolicy } from '../../lambda/policy/load';
import type { RegistryClientOptions } from '../../lambda/registry/options';
import {
  ACCOUNT,
  FAST_REGISTRY,
  REGION,
  RecordingLogger,
  RecordingMetrics,
  TOPIC_ARN,
} from '../guard/support';

export const CLUSTER = 'prod-eu';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;

export function serviceArn(service: string, cluster = CLUSTER): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${service}`;
}
export function revisionArn(service: string, id = '9313423515462893900', cluster = CLUSTER): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${cluster}/${service}/${id}`;
}
export function deploymentArn(service: string, id = 'EZe5RNVLH6PPzHXINuP28', cluster = CLUSTER): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${cluster}/${service}/${id}`;
}

/** A lifecycle hook payload as ECS sends it to a Lambda target (docs: lambda-lifecycle-hooks). */
export function hookPayload(options: {
  service: string;
  revisionId?: string;
  stage?: string;
  hookDetails?: Record<string, unknown>;
  cluster?: string;
}): Record<string, unknown> {
  const cluster = options.cluster ?? CLUSTER;
  return {
    executionId: 'e8d5a28f-2b9e-4c71-9e0a-6b0f4d3c2a11',
    lifecycleStage: options.stage ?? 'PRE_SCALE_UP',
    resourceArn: deploymentArn(options.service, undefined, cluster),
    executionDetails: {
      serviceArn: serviceArn(options.service, cluster),
      targetServiceRevisionArn: revisionArn(options.service, options.revisionId, cluster),
      testTrafficWeights: {},
      productionTrafficWeights: {},
    },
    ...(options.hookDetails ? { hookDetails: options.hookDetails } : {}),
  };
}

export interface RevisionImage {
  containerName: string;
  image?: string;
  imageDigest?: string;
}

/** DescribeServiceRevisions' answer for one revision, in the real API's shape. */
export function describedRevision(options: {
  service: string;
  revisionId?: string;
  family?: string;
  images: RevisionImage[];
  cluster?: string;
}): DescribeServiceRevisionsCommandOutput {
  const cluster = options.cluster ?? CLUSTER;
  return {
    $metadata: { httpStatusCode: 200, requestId: 'ecs-req-1', attempts: 1, totalRetryDelay: 0 },
    serviceRevisions: [
      {
        serviceRevisionArn: revisionArn(options.service, options.revisionId, cluster),
        serviceArn: serviceArn(options.service, cluster),
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
        taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${options.family ?? `${options.service}-app`}:7`,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        containerImages: options.images,
        guardDutyEnabled: false,
        createdAt: new Date('2026-11-22T09:14:00Z'),
      },
    ],
    failures: [],
  };
}

/** 30 minutes, 30 s call-back delay, 60 s invocations: final answer after about 27 minutes. */
export const TIMING: HookTiming = {
  hookTimeoutMs: 30 * 60_000,
  callBackDelaySeconds: 30,
  invocationMs: 60_000,
};

export interface HookSetup {
  hook: DeploymentHook;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  approved: InMemoryApprovedDigests;
  clock: { now: number };
  records(): HookDecisionRecord[];
}

export function buildHook(options: {
  policy: Record<string, unknown>;
  registry?: RegistryClientOptions;
  topicArn?: string | null;
  approved?: InMemoryApprovedDigests;
  timing?: HookTiming;
}): HookSetup {
  const policy = parsePolicy(JSON.stringify(options.policy), { source: 'test-policy.json' });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const approved = options.approved ?? new InMemoryApprovedDigests();
  const clock = { now: Date.parse('2026-11-30T07:00:00Z') };
  const topicArn = options.topicArn === null ? undefined : (options.topicArn ?? TOPIC_ARN);
  const { hook } = composeHook({
    policy,
    region: REGION,
    registry: { ...FAST_REGISTRY, ...options.registry },
    kms: new KmsKeyLoader({
      clientFor: (region) => new KMSClient({ region: region ?? REGION }),
      failureBackoffMs: 0,
    }),
    ecs: new ECSClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    ...(topicArn ? { topicArn } : {}),
    approved,
    logger,
    metrics,
    verifyDeadlineMs: 20_000,
    timing: options.timing ?? TIMING,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    now: () => clock.now,
  });
  return {
    hook,
    logger,
    metrics,
    approved,
    clock,
    records: () =>
      logger.lines
        .map((l) => l.fields as unknown as HookDecisionRecord)
        .filter((r) => r.type === 'image-guard.decision' && r.trigger === 'deployment-hook'),
  };
}
