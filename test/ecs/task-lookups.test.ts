import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsTaskLookups } from '../../lambda/ecs/task-lookups';

const ecs = mockClient(ECSClient);
const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef';
const TD = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7';
const D1 = `sha256:${'11'.repeat(32)}`;
const D2 = `sha256:${'22'.repeat(32)}`;
const rev = (id: string) => `arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/web/${id}`;
const task = { clusterArn: CLUSTER, taskArn: TASK, taskDefinitionArn: TD, service: 'web' };

beforeEach(() => ecs.reset());

function lookups(now = () => 0) {
  return new EcsTaskLookups(new ECSClient({ region: 'eu-west-1' }), { now });
}

describe('describedDigests', () => {
  it('maps container names to well-formed digests of this task only', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          containers: [
            { name: 'app', imageDigest: D1 },
            { name: 'sidecar', imageDigest: 'sha256:short' },
            { name: 'pending' },
          ],
        },
      ],
    });
    expect(await lookups().describedDigests(task)).toEqual(new Map([['app', D1]]));
  });

  it('drops a name reported twice with two digests', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          containers: [
            { name: 'app', imageDigest: D1 },
            { name: 'app', imageDigest: D2 },
          ],
        },
      ],
    });
    expect((await lookups().describedDigests(task)).size).toBe(0);
  });
});

describe('definedContainers', () => {
  it('reads a task definition once (a revision never changes)', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: TD, containerDefinitions: [{ name: 'app' }, { name: 'log' }] },
    });
    const l = lookups();
    expect([...(await l.definedContainers(TD))]).toEqual(['app', 'log']);
    await l.definedContainers(TD);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });

  it('treats an answer without definitions as unknown, and caches nothing', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({});
    const l = lookups();
    await expect(l.definedContainers(TD)).rejects.toThrow(/no container definitions/);
    await expect(l.definedContainers(TD)).rejects.toThrow();
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
  });
});

describe('serviceRevisionDigests', () => {
  function answer(revisions: { id: string; td: string; digest?: string }[]) {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: revisions.map((r) => ({ targetServiceRevisionArn: rev(r.id) })),
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: revisions.map((r) => ({
        serviceRevisionArn: rev(r.id),
        clusterArn: CLUSTER,
        taskDefinition: r.td,
        containerImages: [{ containerName: 'app', imageDigest: r.digest, image: 'repo/app:1' }],
      })),
    });
  }

  it('uses the one revision that runs the task definition', async () => {
    answer([
      { id: '2', td: TD, digest: D1 },
      { id: '1', td: TD.replace(':7', ':6'), digest: D2 },
    ]);
    expect(await lookups().serviceRevisionDigests(task)).toEqual(new Map([['app', D1]]));
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      service: 'web',
      maxResults: 10,
    });
  });

  it('gives nothing when two revisions run the task definition (ambiguous), or none does', async () => {
    answer([
      { id: '2', td: TD, digest: D1 },
      { id: '1', td: TD, digest: D1 },
    ]);
    expect((await lookups().serviceRevisionDigests(task)).size).toBe(0);
    ecs.reset();
    answer([{ id: '1', td: TD.replace(':7', ':6'), digest: D1 }]);
    expect((await lookups().serviceRevisionDigests(task)).size).toBe(0);
  });

  it('asks nothing for a task that is not a service task', async () => {
    expect((await lookups().serviceRevisionDigests({ ...task, service: undefined })).size).toBe(0);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('keeps a revision whose digests are complete, and asks again for one without digests yet', async () => {
    let t = 0;
    const l = lookups(() => t);
    answer([{ id: '2', td: TD }]);
    expect((await l.serviceRevisionDigests(task)).size).toBe(0);
    t += 60_000; // past the deployment list's reuse
    ecs.reset();
    answer([{ id: '2', td: TD, digest: D1 }]);
    expect(await l.serviceRevisionDigests(task)).toEqual(new Map([['app', D1]]));
    t += 60_000;
    await l.serviceRevisionDigests(task);
    expect(ecs.commandCalls(DescribeServiceRevisionsCommand)).toHaveLength(1);
  });
});
