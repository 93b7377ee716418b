/**
 * The sweep's view of ECS: clusters in scope, the running tasks of a cluster (ListTasks, paged, at most
 * 100 ARNs a page) and their descriptions (DescribeTasks, at most 100 tasks a call). Every call takes a
 * token from the bucket first and carries the run's abort signal; calls are counted for the run record.
 */
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { Sender } from '../aws/lazy-client';
import type { ClusterSelection } from './cluster-selection';
import type { TokenBucket } from './token-bucket';

/** DescribeTasks takes at most 100 task ARNs; ListTasks and ListClusters return at most 100 a page. */
export const DESCRIBE_TASKS_BATCH = 100;
export const LIST_PAGE_SIZE = 100;
/** A bound on pages per listing: a runaway nextToken loop must end. */
const MAX_PAGES = 1000;

export type EcsCallName = 'ListClusters' | 'ListTasks' | 'DescribeTasks';

export interface DescribedBatch {
  tasks: Task[];
  /** ARNs ECS could not describe, with its reason (a task that stopped in between: MISSING). */
  failures: { arn: string; reason: string }[];
}

export class EcsFleet {
  readonly calls: Record<EcsCallName, number> = { ListClusters: 0, ListTasks: 0, DescribeTasks: 0 };

  constructor(
    private readonly ecs: Sender<ECSClient>,
    private readonly bucket: TokenBucket,
  ) {}

  async clusters(selection: ClusterSelection, signal?: AbortSignal): Promise<string[]> {
    if (selection.kind === 'named') return selection.clusters;
    const { ListClustersCommand } = await import('@aws-sdk/client-ecs');
    const arns: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call('ListClusters', signal, () =>
        this.ecs.send(new ListClustersCommand({ maxResults: LIST_PAGE_SIZE, nextToken }), {
          abortSignal: signal,
        }),
      );
      arns.push(...(out?.clusterArns ?? []).filter((a): a is string => typeof a === 'string'));
      nextToken = out?.nextToken;
      if (!nextToken) break;
    }
    return arns.filter(selection.matches);
  }

  /** The ARNs of the cluster's tasks whose desired status is RUNNING, page by page. */
  async *runningTaskArns(cluster: string, signal?: AbortSignal): AsyncGenerator<string[]> {
    const { ListTasksCommand } = await import('@aws-sdk/client-ecs');
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call('ListTasks', signal, () =>
        this.ecs.send(
          new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: LIST_PAGE_SIZE, nextToken }),
          { abortSignal: signal },
        ),
      );
      const arns = (out?.taskArns ?? []).filter((a): a is string => typeof a === 'string');
      if (arns.length > 0) yield arns;
      nextToken = out?.nextToken;
      if (!nextToken) return;
    }
  }

  /** One DescribeTasks call: at most DESCRIBE_TASKS_BATCH ARNs (the caller batches). */
  async describe(
    cluster: string,
    taskArns: readonly string[],
    signal?: AbortSignal,
  ): Promise<DescribedBatch> {
    if (taskArns.length > DESCRIBE_TASKS_BATCH)
      throw new Error(`DescribeTasks takes at most ${DESCRIBE_TASKS_BATCH} tasks (got ${taskArns.length})`);
    const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
    const out = await this.call('DescribeTasks', signal, () =>
      this.ecs.send(new DescribeTasksCommand({ cluster, tasks: [...taskArns] }), { abortSignal: signal }),
    );
    return {
      tasks: out?.tasks ?? [],
      failures: (out?.failures ?? []).map((f) => ({
        arn: f.arn ?? '(no arn)',
        reason: f.reason ?? 'unknown',
      })),
    };
  }

  private async call<T>(
    name: EcsCallName,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    await this.bucket.take();
    signal?.throwIfAborted();
    this.calls[name] += 1;
    return send();
  }
}
