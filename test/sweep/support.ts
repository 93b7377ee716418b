/**
 * The sweep's test bench: a fake ECS fleet behind aws-sdk-client-mock that pages and batches like the
 * real API (ListClusters/ListTasks at most 100 a page with nextToken, DescribeTasks refusing more than
 * 100 tasks, tasks shaped like a real Fargate DescribeTasks answer with Date timestamps), and a sweep
 * composed like the Lambda's (composeSweep) against a real registry.
 */
import {
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { VerdictCache } from '../../lambda/cache/verdict-cache';
import { InMemoryDecisionLedger, type DecisionLedger } from '../../lambda/enforce/decision-ledger';
import { parsePolicy } from '../../lambda/policy/load';
import { composeSweep, type SweepComposition } from '../../lambda/sweep/compose-sweep';
import { InMemoryDecisionMemory, type DecisionMemory } from '../../lambda/sweep/decision-memory';
import { TokenBucket } from '../../lambda/sweep/token-bucket';
import {
  FAST_REGISTRY,
  RecordingLogger,
  RecordingMetrics,
  REGION,
  ACCOUNT,
  TOPIC_ARN,
} from '../guard/support';

export { ACCOUNT, REGION, TOPIC_ARN };

export interface FleetTask {
  cluster: string;
  id: string;
  image: string;
  digest?: string;
  containerName?: string;
  service?: string;
  lastStatus?: string;
  createdAt?: Date;
}

export const clusterArnOf = (cluster: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`;
export const taskArnOf = (cluster: string, id: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;

/** A task as DescribeTasks returns it (Fargate, a service task), SDK-deserialised. */
export function describedTask(t: FleetTask): Task {
  const taskArn = taskArnOf(t.cluster, t.id);
  const service = t.service ?? 'web';
  const created = t.createdAt ?? new Date('2026-11-29T10:00:00.000Z');
  return {
    attachments: [],
    availabilityZone: `${REGION}a`,
    clusterArn: clusterArnOf(t.cluster),
    connectivity: 'CONNECTED',
    connectivityAt: created,
    containers: [
      {
        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${t.cluster}/${t.id}/0b2a6c1e-5d1f-4e55-9b0e-1f2e3d4c5b6a`,
        taskArn,
        name: t.containerName ?? 'app',
        image: t.image,
        ...(t.digest ? { imageDigest: t.digest } : {}),
        runtimeId: `${t.id}-1234567890`,
        lastStatus: t.lastStatus ?? 'RUNNING',
        networkInterfaces: [],
        healthStatus: 'UNKNOWN',
        cpu: '0',
      },
    ],
    cpu: '256',
    createdAt: created,
    desiredStatus: 'RUNNING',
    enableExecuteCommand: false,
    group: `service:${service}`,
    healthStatus: 'UNKNOWN',
    lastStatus: t.lastStatus ?? 'RUNNING',
    launchType: 'FARGATE',
    memory: '512',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    pullStartedAt: created,
    pullStoppedAt: created,
    startedAt: created,
    startedBy: 'ecs-svc/4473420395542736711',
    tags: [],
    taskArn,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${service}:7`,
    version: 3,
    ephemeralStorage: { sizeInGiB: 20 },
  };
}

/** ECS as the sweep sees it: clusters of tasks; StopTask removes the task, as ECS would soon after. */
export class FakeFleet {
  readonly tasks = new Map<string, FleetTask[]>();
  /** Clusters whose ListTasks fails, with the error ECS would raise. */
  readonly failing = new Map<string, Error>();
  /** StopTask answers, but ECS keeps listing the task (it has not stopped yet). */
  keepStopped = false;

  constructor(private readonly ecs: AwsClientStub<ECSClient>) {}

  add(...tasks: FleetTask[]): void {
    for (const t of tasks) {
      const list = this.tasks.get(t.cluster) ?? [];
      list.push(t);
      this.tasks.set(t.cluster, list);
    }
  }

  install(): void {
    this.ecs.on(ListClustersCommand).callsFake((input: { maxResults?: number; nextToken?: string }) => {
      const all = [...this.tasks.keys()].sort().map(clusterArnOf);
      return page(all, input.maxResults, input.nextToken, 'clusterArns');
    });
    this.ecs
      .on(ListTasksCommand)
      .callsFake((input: { cluster?: string; maxResults?: number; nextToken?: string }) => {
        const cluster = nameOf(input.cluster ?? 'default');
        const failure = this.failing.get(cluster);
        if (failure) throw failure;
        const arns = (this.tasks.get(cluster) ?? []).map((t) => taskArnOf(t.cluster, t.id));
        return page(arns, input.maxResults, input.nextToken, 'taskArns');
      });
    this.ecs.on(DescribeTasksCommand).callsFake((input: { cluster?: string; tasks?: string[] }) => {
      const requested = input.tasks ?? [];
      if (requested.length > 100) {
        throw Object.assign(new Error('Tasks cannot be longer than 100.'), {
          name: 'InvalidParameterException',
        });
      }
      const cluster = nameOf(input.cluster ?? 'default');
      const byArn = new Map((this.tasks.get(cluster) ?? []).map((t) => [taskArnOf(t.cluster, t.id), t]));
      const tasks: Task[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const arn of requested) {
        const t = byArn.get(arn);
        if (t) tasks.push(describedTask(t));
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { tasks, failures };
    });
    this.ecs.on(StopTaskCommand).callsFake((input: { cluster?: string; task?: string }) => {
      const cluster = nameOf(input.cluster ?? 'default');
      const list = this.tasks.get(cluster) ?? [];
      const found = list.find((t) => taskArnOf(t.cluster, t.id) === input.task);
      if (!this.keepStopped)
        this.tasks.set(
          cluster,
          list.filter((t) => t !== found),
        );
      if (!found) {
        throw Object.assign(new Error('The referenced task was not found.'), {
          name: 'InvalidParameterException',
        });
      }
      return { task: { ...describedTask(found), desiredStatus: 'STOPPED' } };
    });
  }
}

function nameOf(cluster: string): string {
  return cluster.slice(cluster.lastIndexOf('/') + 1);
}

function page<K extends string>(all: string[], maxResults = 100, nextToken: string | undefined, key: K) {
  const size = Math.min(maxResults, 100);
  const start = nextToken === undefined ? 0 : Number(nextToken);
  const slice = all.slice(start, start + size);
  const next = start + size < all.length ? String(start + size) : undefined;
  return { [key]: slice, ...(next !== undefined ? { nextToken: next } : {}) } as Record<K, string[]> & {
    nextToken?: string;
  };
}

export interface SweepSetup extends SweepComposition {
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  clock: { now: number };
  bucket: TokenBucket;
  slept: number[];
}

export interface SweepOptions {
  policy: Record<string, unknown>;
  ledger?: DecisionLedger;
  memory?: DecisionMemory;
  cache?: VerdictCache;
  clock?: { now: number };
  topicArn?: string | null;
  ecsRate?: { ratePerSecond: number; burst: number };
}

/** A sweep composed as the Lambda composes it, with a controllable clock and a bucket that never really waits. */
export function buildSweep(options: SweepOptions): SweepSetup {
  const policy = parsePolicy(JSON.stringify(options.policy), { source: 'test-policy.json' });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const clock = options.clock ?? { now: Date.parse('2026-11-30T12:00:00.000Z') };
  const slept: number[] = [];
  const bucket = new TokenBucket({
    ...(options.ecsRate ?? { ratePerSecond: 1000, burst: 1000 }),
    now: () => clock.now,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
  });
  const topicArn = options.topicArn === null ? undefined : (options.topicArn ?? TOPIC_ARN);
  const composition = composeSweep({
    policy,
    region: REGION,
    registry: FAST_REGISTRY,
    cache: options.cache ?? new VerdictCache(),
    ecs: new ECSClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    ...(topicArn ? { topicArn } : {}),
    ledger: options.ledger ?? new InMemoryDecisionLedger(() => clock.now),
    memory: options.memory ?? new InMemoryDecisionMemory(),
    enforcer: { now: () => clock.now, retry: { sleep: async () => {} } },
    logger,
    metrics,
    verifyDeadlineMs: 20_000,
    now: () => clock.now,
    sweep: { bucket, now: () => clock.now },
  });
  return { ...composition, logger, metrics, clock, bucket, slept };
}
