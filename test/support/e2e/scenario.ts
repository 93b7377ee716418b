/**
 * What the scenarios share: an enforce policy for the local registry trusting one KMS key, images
 * pushed signed (cosign legacy `.sig`, real ECDSA) or unsigned, and the common set-up.
 */
import { startRegistry, type StartedRegistry } from '../registry';
import { generateTestKey, type TestKey } from '../signer';
import {
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type EventContainer,
  type PushedImage,
} from '../../guard/support';
import type { EcsFake, FakeTask } from './ecs-fake';
import { E2E_ACCOUNT, E2E_REGION, startGuardE2E, type GuardE2E } from './guard-e2e';
import type { Json, LambdaProcess } from './lambda-process';
import { REGISTRY_PLACEHOLDER } from './synth-cache';

export const KMS_KEY_ARN = `arn:aws:kms:${E2E_REGION}:${E2E_ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** Enforce mode: every image of the local registry's `team/` must be signed by the CI key in KMS. */
export function enforcePolicyYaml(registryHost: string): string {
  return [
    'version: 1',
    'mode: enforce',
    'keys:',
    '  - name: ci',
    `    kms: ${KMS_KEY_ARN}`,
    'rules:',
    '  - name: team-apps',
    '    match:',
    `      images: ["${registryHost}/team/**"]`,
    '    keys: [ci]',
    'registries:',
    `  insecure: ["${registryHost}"]`,
    '',
  ].join('\n');
}

export interface Scenario {
  registry: StartedRegistry;
  ciKey: TestKey;
  guard: GuardE2E;
  /** Pushes `team/<repo>:<tag>`, signed by the CI key unless `signed` is false. */
  push(repo: string, tag: string, options?: { signed?: boolean }): Promise<PushedImage>;
  stop(): Promise<void>;
}

/** Starts the registry, synthesizes the app with the policy naming it, and starts the AWS fakes. */
export async function startScenario(): Promise<Scenario> {
  const registry = await startRegistry();
  try {
    const ciKey = generateTestKey('p256');
    const guard = await startGuardE2E({
      policyYaml: enforcePolicyYaml(REGISTRY_PLACEHOLDER),
      registryHost: registry.host,
      kmsKeys: { [KMS_KEY_ARN]: ciKey },
    });
    return {
      registry,
      ciKey,
      guard,
      async push(repo, tag, options = {}) {
        const image = await pushTestImage(registry, `team/${repo}`, tag);
        if (options.signed !== false) await pushLegacySignatures(registry, image, [ciKey]);
        return image;
      },
      async stop() {
        await guard.stop();
        await registry.stop();
      },
    };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}

/** Decision records about one task, over any number of execution environments. */
export function decisionsFor(taskArn: string, ...processes: LambdaProcess[]): Json[] {
  return processes.flatMap((p) => p.records('image-guard.decision')).filter((r) => r.taskArn === taskArn);
}

export interface ServiceTaskOptions {
  taskId: string;
  /** The ECS service the task belongs to (`group: service:<name>`). */
  service: string;
  /** The service deployment that started it (`startedBy`), `ecs-svc/<digits>`. */
  deploymentId: string;
  taskDefinitionArn: string;
  containers: EventContainer[];
  lastStatus?: string;
  launchType?: 'EC2' | 'FARGATE';
}

/** An ECS Task State Change of a service task (recorded event, rewritten). */
export function serviceTaskEvent(options: ServiceTaskOptions): Json {
  const event = taskEvent({
    taskId: options.taskId,
    containers: options.containers,
    ...(options.lastStatus ? { lastStatus: options.lastStatus } : {}),
  });
  const detail = event.detail as Json;
  detail.group = `service:${options.service}`;
  detail.startedBy = options.deploymentId;
  detail.taskDefinitionArn = options.taskDefinitionArn;
  detail.overrides = { containerOverrides: options.containers.map((c) => ({ name: c.name })) };
  if (options.launchType === 'FARGATE') {
    detail.launchType = 'FARGATE';
    detail.capacityProviderName = 'FARGATE';
    delete detail.containerInstanceArn;
    detail.platformVersion = '1.4.0';
  }
  return event;
}

/** The task of `event` as ECS would describe it (DescribeTasks), with the digests ECS knows at that point. */
export function registerTask(ecs: EcsFake, event: Json, options: { withDigests?: boolean } = {}): FakeTask {
  const detail = event.detail as Json;
  const task: FakeTask = {
    taskArn: detail.taskArn as string,
    clusterArn: detail.clusterArn as string,
    taskDefinitionArn: detail.taskDefinitionArn as string,
    group: detail.group as string,
    startedBy: detail.startedBy as string,
    lastStatus: detail.lastStatus as string,
    containers: (detail.containers as Json[]).map((c) => ({
      name: c.name as string,
      ...(typeof c.image === 'string' ? { image: c.image } : {}),
      ...(options.withDigests !== false && typeof c.imageDigest === 'string'
        ? { imageDigest: c.imageDigest }
        : {}),
    })),
  };
  ecs.tasks.set(task.taskArn, task);
  return task;
}

export function taskArnOf(event: Json): string {
  return (event.detail as { taskArn: string }).taskArn;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * beforeAll budget: a cold synthesis (CDK + esbuild) on a loaded machine, or waiting for another
 * worker's, plus a registry start. Warm runs reuse the cached assembly and take seconds.
 */
export const SETUP_TIMEOUT_MS = 6 * 60_000;

/**
 * Ledger writes for one stopped and alerted task: conditional UpdateItems claiming the stop and
 * marking it done, claiming the alert, opening its group's window and marking the alert done (one
 * place to change if the ledger's protocol changes).
 */
export const LEDGER_CALLS_PER_STOPPED_TASK = 5;

/**
 * The final decision the event path remembers for the sweep (one PutItem of `final#<taskArn>` in the
 * same table), after every decision that is final: an allowed task too.
 */
export const MEMORY_WRITES_PER_FINAL_DECISION = 1;
