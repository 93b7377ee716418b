/**
 * What ECS itself says about a task, beyond its event: the digests DescribeTasks reports, the
 * container names of its task definition, and the digests ECS pinned in its service revision
 * (software version consistency). Each answer is read-only, bounded and cached only as long as it
 * cannot change. A failed call is an answer of "unknown" to the caller (never a pass): the digest
 * step then falls back to the next source, the injected-container check to "verify it".
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Sender } from '../aws/lazy-client';
import { LruCache } from '../cache/lru-cache';
import { DIGEST_RE } from '../events/schema';

/** The parts of a task the lookups need (a TaskEvent has them). */
export interface TaskIdentity {
  clusterArn: string;
  taskArn: string;
  taskDefinitionArn: string;
  /** Service name, for a service task. */
  service?: string;
}

/** The lookups the digest and match steps use (an interface, so a test or the CLI can give none). */
export interface TaskLookups {
  /** Container name → digest, as DescribeTasks reports the task now. */
  describedDigests(task: TaskIdentity, signal?: AbortSignal): Promise<Map<string, string>>;
  /** Container names the task definition defines (a task definition revision never changes). */
  definedContainers(taskDefinitionArn: string, signal?: AbortSignal): Promise<ReadonlySet<string>>;
  /**
   * Container name → digest ECS pinned in the task's service revision; empty when the task is not a
   * service task, no revision can be tied to it unambiguously, or the revision has no digests yet.
   */
  serviceRevisionDigests(task: TaskIdentity, signal?: AbortSignal): Promise<Map<string, string>>;
  /**
   * The ARN of the service revision the task is tied to (the same tie as `serviceRevisionDigests`), or
   * undefined; optional, so a lookup without ECS access needs none. The deployment hook's approvals are
   * kept by revision ARN.
   */
  serviceRevisionArn?(task: TaskIdentity, signal?: AbortSignal): Promise<string | undefined>;
}

export interface EcsTaskLookupsOptions {
  /** How many service deployments (newest first) are searched for the task's revision. */
  deployments?: number;
  /** How long a service's deployment list is reused. */
  deploymentListTtlMs?: number;
  now?: () => number;
}

const TASK_DEFINITION_TTL_MS = 24 * 3600_000;
const REVISION_TTL_MS = 6 * 3600_000;
const MAX_CONTAINERS = 100;
/** DescribeServiceRevisions takes at most 20 ARNs. */
const MAX_REVISIONS = 20;

export class EcsTaskLookups implements TaskLookups {
  private readonly taskDefinitions: LruCache<ReadonlySet<string>>;
  private readonly revisions: LruCache<RevisionFacts>;
  private readonly deploymentLists: LruCache<string[]>;
  private readonly deployments: number;
  private readonly deploymentListTtlMs: number;

  constructor(
    private readonly ecs: Sender<ECSClient>,
    options: EcsTaskLookupsOptions = {},
  ) {
    this.taskDefinitions = new LruCache(500, options.now);
    this.revisions = new LruCache(500, options.now);
    this.deploymentLists = new LruCache(200, options.now);
    this.deployments = Math.min(options.deployments ?? 10, MAX_REVISIONS);
    this.deploymentListTtlMs = options.deploymentListTtlMs ?? 30_000;
  }

  async describedDigests(task: TaskIdentity, signal?: AbortSignal): Promise<Map<string, string>> {
    const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
    const out = await this.ecs.send(
      new DescribeTasksCommand({ cluster: task.clusterArn, tasks: [task.taskArn] }),
      { abortSignal: signal },
    );
    const described = out?.tasks?.find((t) => t.taskArn === task.taskArn);
    return digestsByName((described?.containers ?? []).map((c) => ({ name: c.name, digest: c.imageDigest })));
  }

  async definedContainers(taskDefinitionArn: string, signal?: AbortSignal): Promise<ReadonlySet<string>> {
    const cached = this.taskDefinitions.get(taskDefinitionArn);
    if (cached) return cached;
    const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    const out = await this.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
      {
        abortSignal: signal,
      },
    );
    const definitions = out?.taskDefinition?.containerDefinitions;
    // No definition list is no answer: nothing is cached and the caller treats it as unknown.
    if (!Array.isArray(definitions) || definitions.length === 0)
      throw new Error(`DescribeTaskDefinition returned no container definitions for ${taskDefinitionArn}`);
    const names = new Set(
      definitions
        .slice(0, MAX_CONTAINERS)
        .map((d) => d.name)
        .filter((n): n is string => typeof n === 'string'),
    );
    this.taskDefinitions.set(taskDefinitionArn, names, TASK_DEFINITION_TTL_MS);
    return names;
  }

  async serviceRevisionDigests(task: TaskIdentity, signal?: AbortSignal): Promise<Map<string, string>> {
    const revision = await this.revisionOf(task, signal);
    return new Map(revision?.digests ?? []);
  }

  async serviceRevisionArn(task: TaskIdentity, signal?: AbortSignal): Promise<string | undefined> {
    return (await this.revisionOf(task, signal))?.arn;
  }

  private async revisionOf(task: TaskIdentity, signal?: AbortSignal): Promise<RevisionFacts | undefined> {
    if (task.service === undefined) return undefined;
    const revisionArns = await this.recentRevisionArns(task, signal);
    const revisions = await this.describeRevisions(revisionArns, signal);
    // A task has no revision ARN; it is tied to the revision that runs its task definition. Two
    // revisions with the same task definition (a forced new deployment) make the tie ambiguous.
    const candidates = revisions.filter(
      (r) => r.taskDefinition === task.taskDefinitionArn && r.clusterArn === task.clusterArn,
    );
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private async recentRevisionArns(task: TaskIdentity, signal?: AbortSignal): Promise<string[]> {
    const key = `${task.clusterArn}|${task.service}`;
    const cached = this.deploymentLists.get(key);
    if (cached) return cached;
    const { ListServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
    const out = await this.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: task.clusterArn,
        service: task.service,
        maxResults: this.deployments,
      }),
      { abortSignal: signal },
    );
    const arns = [
      ...new Set(
        (out?.serviceDeployments ?? [])
          .slice(0, this.deployments)
          .map((d) => d.targetServiceRevisionArn)
          .filter((a): a is string => typeof a === 'string' && a.length > 0),
      ),
    ];
    this.deploymentLists.set(key, arns, this.deploymentListTtlMs);
    return arns;
  }

  private async describeRevisions(arns: readonly string[], signal?: AbortSignal): Promise<RevisionFacts[]> {
    const found: RevisionFacts[] = [];
    const missing: string[] = [];
    for (const arn of arns.slice(0, MAX_REVISIONS)) {
      const cached = this.revisions.get(arn);
      if (cached) found.push(cached);
      else missing.push(arn);
    }
    if (missing.length === 0) return found;
    const { DescribeServiceRevisionsCommand } = await import('@aws-sdk/client-ecs');
    const out = await this.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: missing }), {
      abortSignal: signal,
    });
    for (const r of out?.serviceRevisions ?? []) {
      if (typeof r.serviceRevisionArn !== 'string' || !missing.includes(r.serviceRevisionArn)) continue;
      const images = (r.containerImages ?? []).slice(0, MAX_CONTAINERS);
      const facts: RevisionFacts = {
        arn: r.serviceRevisionArn,
        taskDefinition: r.taskDefinition,
        clusterArn: r.clusterArn,
        digests: digestsByName(images.map((c) => ({ name: c.containerName, digest: c.imageDigest }))),
      };
      found.push(facts);
      // Digests are established by the revision's first task; only a complete answer is kept.
      if (images.length > 0 && facts.digests.size === images.length)
        this.revisions.set(facts.arn, facts, REVISION_TTL_MS);
    }
    return found;
  }
}

interface RevisionFacts {
  arn: string;
  taskDefinition?: string;
  clusterArn?: string;
  digests: ReadonlyMap<string, string>;
}

/** Only well-formed digests of named containers; a name reported twice with two digests is dropped. */
function digestsByName(entries: readonly { name?: string; digest?: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  const conflicting = new Set<string>();
  for (const { name, digest } of entries.slice(0, MAX_CONTAINERS)) {
    if (typeof name !== 'string' || typeof digest !== 'string' || !DIGEST_RE.test(digest)) continue;
    const seen = out.get(name);
    if (seen !== undefined && seen !== digest) conflicting.add(name);
    out.set(name, digest);
  }
  for (const name of conflicting) out.delete(name);
  return out;
}

/** No lookups (the CLI without AWS access, tests of the pure path): every answer is "unknown". */
export const NO_TASK_LOOKUPS: TaskLookups = {
  describedDigests: () => Promise.resolve(new Map()),
  definedContainers: () => Promise.reject(new Error('no ECS access: the task definition is unknown')),
  serviceRevisionDigests: () => Promise.resolve(new Map()),
};
