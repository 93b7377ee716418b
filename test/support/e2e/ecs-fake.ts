/**
 * A fake of the ECS API (awsJson1_1, `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`) holding
 * tasks, task definitions, services, their deployments and revisions, answering in the real API's
 * shapes. StopTask marks the task stopping; its answer can be held so a test can kill the caller
 * after ECS received the call.
 */
import { ApiFault, awsJsonProtocol, startApiServer, type ApiCall, type ApiServer } from './aws-api-server';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

type Json = Record<string, unknown>;

export interface FakeContainer {
  name: string;
  image?: string;
  imageDigest?: string;
}

export interface FakeTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group?: string;
  startedBy?: string;
  lastStatus?: string;
  containers: FakeContainer[];
}

export interface FakeTaskDefinition {
  taskDefinitionArn: string;
  /** Containers as the task definition declares them (AWS-injected ones are never here). */
  containers: Array<{ name: string; image: string }>;
}

/** A service with one deployment rolling out one revision (`startedBy` of its tasks is `deploymentId`). */
export interface FakeService {
  serviceArn: string;
  clusterArn: string;
  /** `ecs-svc/<digits>`, as in a task's `startedBy`. */
  deploymentId: string;
  serviceDeploymentArn: string;
  serviceRevisionArn: string;
  taskDefinitionArn: string;
  /** The revision's images, digests as ECS established them when the revision was created. */
  containerImages: Array<{ containerName: string; image: string; imageDigest?: string }>;
  guardDutyEnabled?: boolean;
}

export interface HeldStopTask {
  /** Resolves when a StopTask arrives (it is recorded, and its answer withheld). */
  received: Promise<ApiCall>;
  /** Answers the held call (if its caller is still there). */
  release(): void;
}

export interface EcsFake extends ApiServer {
  tasks: Map<string, FakeTask>;
  taskDefinitions: Map<string, FakeTaskDefinition>;
  services: Map<string, FakeService>;
  /** Tasks ECS was asked to stop, in order, with the reason given. */
  stopped: Array<{ cluster: string; task: string; reason: string }>;
  /** Withholds the answer to the next StopTask until released. */
  holdNextStopTask(): HeldStopTask;
}

/** awsJson timestamps are epoch seconds (2026-03-02T09:14:00Z). */
const CREATED_AT = 1772442840;

export async function startEcsFake(): Promise<EcsFake> {
  const tasks = new Map<string, FakeTask>();
  const taskDefinitions = new Map<string, FakeTaskDefinition>();
  const services = new Map<string, FakeService>();
  const stopped: EcsFake['stopped'] = [];
  let hold: { arrived: (call: ApiCall) => void; released: Promise<void>; release: () => void } | undefined;

  const answer = async (call: ApiCall): Promise<unknown> => {
    const input = call.input;
    switch (call.operation) {
      case 'StopTask': {
        const task = String(input.task ?? '');
        const cluster = String(input.cluster ?? '');
        if (!/^arn:aws:ecs:[^:]+:\d{12}:task\/[^/]+\/[0-9a-f]{32}$/.test(task)) {
          throw new ApiFault(400, 'InvalidParameterException', 'The referenced task was not found.');
        }
        stopped.push({ cluster, task, reason: String(input.reason ?? '') });
        const known = tasks.get(task);
        const held = hold;
        if (held) {
          hold = undefined;
          held.arrived(call);
          await held.released;
        }
        return {
          task: {
            ...taskShape(known ?? taskFromArn(task, cluster)),
            desiredStatus: 'STOPPED',
            stoppedReason: input.reason,
            stopCode: 'UserInitiated',
          },
        };
      }
      case 'ListTasks': {
        // ListTasks takes a cluster name or ARN; a stopped task is no longer listed as RUNNING.
        const cluster = String(input.cluster ?? 'default');
        const inCluster = (t: FakeTask) =>
          t.clusterArn === cluster || t.clusterArn.endsWith(`:cluster/${cluster}`);
        const stoppedArns = new Set(stopped.map((s) => s.task));
        return {
          taskArns: [...tasks.values()]
            .filter((t) => inCluster(t) && !stoppedArns.has(t.taskArn))
            .map((t) => t.taskArn),
        };
      }
      case 'DescribeTasks': {
        const wanted = (input.tasks as string[] | undefined) ?? [];
        const found = wanted.map((arn) => tasks.get(arn));
        return {
          tasks: found.filter((t): t is FakeTask => t !== undefined).map(taskShape),
          failures: wanted
            .filter((_arn, i) => found[i] === undefined)
            .map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      case 'DescribeTaskDefinition': {
        const ref = String(input.taskDefinition ?? '');
        const def = [...taskDefinitions.values()].find(
          (d) => d.taskDefinitionArn === ref || d.taskDefinitionArn.endsWith(`:task-definition/${ref}`),
        );
        if (!def) throw new ApiFault(400, 'ClientException', 'Unable to describe task definition.');
        return { taskDefinition: taskDefinitionShape(def), tags: [] };
      }
      case 'DescribeServices': {
        const names = (input.services as string[] | undefined) ?? [];
        const found = names.map((n) => findService(services, n));
        return {
          services: found.filter((s): s is FakeService => s !== undefined).map(serviceShape),
          failures: names.filter((_n, i) => !found[i]).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      case 'ListServiceDeployments': {
        const service = findService(services, String(input.service ?? ''));
        return {
          serviceDeployments: service
            ? [
                {
                  serviceDeploymentArn: service.serviceDeploymentArn,
                  serviceArn: service.serviceArn,
                  clusterArn: service.clusterArn,
                  startedAt: CREATED_AT,
                  createdAt: CREATED_AT,
                  targetServiceRevisionArn: service.serviceRevisionArn,
                  status: 'IN_PROGRESS',
                },
              ]
            : [],
        };
      }
      case 'DescribeServiceDeployments': {
        const arns = (input.serviceDeploymentArns as string[] | undefined) ?? [];
        const found = arns.map((a) => [...services.values()].find((s) => s.serviceDeploymentArn === a));
        return {
          serviceDeployments: found
            .filter((s): s is FakeService => s !== undefined)
            .map((s) => ({
              serviceDeploymentArn: s.serviceDeploymentArn,
              serviceArn: s.serviceArn,
              clusterArn: s.clusterArn,
              createdAt: CREATED_AT,
              startedAt: CREATED_AT,
              sourceServiceRevisions: [],
              targetServiceRevision: {
                arn: s.serviceRevisionArn,
                requestedTaskCount: 1,
                runningTaskCount: 0,
                pendingTaskCount: 1,
              },
              status: 'IN_PROGRESS',
              deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
            })),
          failures: arns.filter((_a, i) => !found[i]).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      case 'DescribeServiceRevisions': {
        const arns = (input.serviceRevisionArns as string[] | undefined) ?? [];
        if (arns.length === 0 || arns.length > 20) {
          throw new ApiFault(400, 'InvalidParameterException', 'serviceRevisionArns must hold 1 to 20 ARNs');
        }
        const found = arns.map((a) => [...services.values()].find((s) => s.serviceRevisionArn === a));
        return {
          serviceRevisions: found.filter((s): s is FakeService => s !== undefined).map(revisionShape),
          failures: arns.filter((_a, i) => !found[i]).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      default:
        throw new ApiFault(
          400,
          'UnknownOperationException',
          `the ECS fake does not implement ${call.operation}`,
        );
    }
  };

  const server = await startApiServer({ ...awsJsonProtocol(ECS_TARGET_PREFIX, '1.1'), answer });
  return {
    ...server,
    tasks,
    taskDefinitions,
    services,
    stopped,
    holdNextStopTask() {
      let arrived!: (call: ApiCall) => void;
      let release!: () => void;
      const received = new Promise<ApiCall>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { arrived, released, release };
      return { received, release };
    },
  };
}

function findService(services: Map<string, FakeService>, nameOrArn: string): FakeService | undefined {
  return [...services.values()].find(
    (s) => s.serviceArn === nameOrArn || s.serviceArn.endsWith(`/${nameOrArn}`),
  );
}

function taskFromArn(taskArn: string, cluster: string): FakeTask {
  const [, , , region, account, rest] = taskArn.split(':');
  const clusterName = rest?.split('/')[1] ?? 'default';
  return {
    taskArn,
    clusterArn: cluster.startsWith('arn:')
      ? cluster
      : `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`,
    taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/unknown:1`,
    containers: [],
  };
}

/** A Task as DescribeTasks returns it (the fields the guard could read, nothing invented). */
function taskShape(t: FakeTask): Json {
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    ...(t.group ? { group: t.group } : {}),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    lastStatus: t.lastStatus ?? 'PENDING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    version: 2,
    createdAt: CREATED_AT,
    containers: t.containers.map((c) => ({
      containerArn: `${t.taskArn.replace(':task/', ':container/')}/${c.name}`,
      taskArn: t.taskArn,
      name: c.name,
      ...(c.image !== undefined ? { image: c.image } : {}),
      ...(c.imageDigest !== undefined ? { imageDigest: c.imageDigest } : {}),
      lastStatus: t.lastStatus ?? 'PENDING',
      networkInterfaces: [],
    })),
  };
}

function taskDefinitionShape(d: FakeTaskDefinition): Json {
  const m = /task-definition\/([^:]+):(\d+)$/.exec(d.taskDefinitionArn);
  return {
    taskDefinitionArn: d.taskDefinitionArn,
    family: m?.[1],
    revision: Number(m?.[2]),
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: d.containers.map((c) => ({
      name: c.name,
      image: c.image,
      essential: true,
      cpu: 0,
      portMappings: [],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
    })),
  };
}

function serviceShape(s: FakeService): Json {
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceArn.split('/').pop(),
    clusterArn: s.clusterArn,
    status: 'ACTIVE',
    taskDefinition: s.taskDefinitionArn,
    deploymentController: { type: 'ECS' },
    deployments: [
      {
        id: s.deploymentId,
        status: 'PRIMARY',
        taskDefinition: s.taskDefinitionArn,
        desiredCount: 1,
        pendingCount: 1,
        runningCount: 0,
        createdAt: CREATED_AT,
        updatedAt: CREATED_AT,
        rolloutState: 'IN_PROGRESS',
      },
    ],
  };
}

function revisionShape(s: FakeService): Json {
  return {
    serviceRevisionArn: s.serviceRevisionArn,
    serviceArn: s.serviceArn,
    clusterArn: s.clusterArn,
    taskDefinition: s.taskDefinitionArn,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    containerImages: s.containerImages.map((c) => ({
      containerName: c.containerName,
      image: c.image,
      ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
    })),
    guardDutyEnabled: s.guardDutyEnabled ?? false,
    createdAt: CREATED_AT,
  };
}
