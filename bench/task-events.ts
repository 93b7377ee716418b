/**
 * ECS "Task State Change" events for a service deployment, made from a recorded event
 * (test/fixtures/events) with the cluster, task, status, version and image rewritten.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;

const FIXTURE = path.join(__dirname, '..', 'test', 'fixtures', 'events', 'ec2-service-pending-digest.json');
const RECORDED = readFileSync(FIXTURE, 'utf8');

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const CLUSTER = 'prod-eu';

/** The statuses a starting task reports, in order (the guard's EventBridge rule forwards these). */
export const START_STATUSES = ['PENDING', 'ACTIVATING', 'RUNNING'] as const;

export interface DeployedTask {
  taskId: string;
  image: string;
  digest: string;
}

export function taskEvent(task: DeployedTask, lastStatus: string, version: number): Json {
  const event = JSON.parse(RECORDED) as Json;
  const detail = event.detail as Json;
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${task.taskId}`;
  event.id = randomUUID();
  event.resources = [taskArn];
  detail.clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
  detail.taskArn = taskArn;
  detail.lastStatus = lastStatus;
  detail.version = version;
  const container = { ...((detail.containers as Json[])[0] as Json) };
  container.taskArn = taskArn;
  container.image = task.image;
  container.imageDigest = task.digest;
  container.lastStatus = lastStatus;
  detail.containers = [container];
  return event;
}

let counter = 0;
/** A unique 32-hex task id. */
export function newTaskId(): string {
  counter += 1;
  return `${process.pid.toString(16)}${counter.toString(16).padStart(8, '0')}`.padStart(32, 'b');
}

/**
 * The events of a deployment as ECS emits them: every task PENDING, then ACTIVATING, then
 * RUNNING (versions 1, 2, 3), one image per task as given.
 */
export function deploymentEvents(images: readonly { image: string; digest: string }[]): Json[] {
  const tasks = images.map((i) => ({ taskId: newTaskId(), image: i.image, digest: i.digest }));
  return START_STATUSES.flatMap((status, phase) => tasks.map((t) => taskEvent(t, status, phase + 1)));
}
