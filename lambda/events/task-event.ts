/**
 * An ECS task as one "ECS Task State Change" event describes it, checked and reduced to what the
 * guard needs. Parsing never throws. An event that does not describe a usable task becomes an
 * `ignored` result with a reason (EVENT_INVALID / EVENT_NOT_APPLICABLE) and a message naming the field;
 * a container that cannot be read keeps its place in the task with a `problem` (decided as an error
 * for that container alone): one odd container never makes the guard skip the others.
 */
import { ReasonCode } from '../reasons';
import { clusterNameOf, serviceOf, taskDefinitionOf } from './arns';
import { describe, listIssues } from './issue-text';
import { ContainerSchema, EVENT_DETAIL_TYPE, EVENT_LIMITS, EVENT_SOURCE, EnvelopeSchema } from './schema';

export interface TaskContainer {
  /** The container's name; for a container without a readable name, `containers[<index>]`. */
  name: string;
  /** The image as the task definition names it; absent for AWS-injected agents (and broken events). */
  image?: string;
  /** `sha256:<64 hex>` when ECS reported the digest it runs. */
  imageDigest?: string;
  containerArn?: string;
  lastStatus?: string;
  /** Why this container cannot be identified (a field missing or malformed); it is then an error. */
  problem?: string;
}

export interface TaskEvent {
  eventId: string;
  time: string;
  account: string;
  region: string;
  clusterArn: string;
  clusterName: string;
  taskArn: string;
  taskDefinitionArn: string;
  taskDefinitionFamily: string;
  taskDefinitionRevision: number;
  /** From `group` = `service:NAME`; absent for RunTask / StartTask tasks. */
  service?: string;
  group?: string;
  /** For a service task, the service deployment that started it (`ecs-svc/<id>`). */
  startedBy?: string;
  launchType?: string;
  lastStatus: string;
  desiredStatus: string;
  /** `detail.version`: increases with every change of the task; equal for duplicate deliveries. */
  version: number;
  updatedAt?: string;
  containers: TaskContainer[];
  /** Container names the task's `ServiceConnect` attachments name (ECS injects that proxy). */
  serviceConnectContainers: string[];
}

export type IgnoredReason = typeof ReasonCode.EVENT_INVALID | typeof ReasonCode.EVENT_NOT_APPLICABLE;

export type ParsedEvent =
  | { kind: 'task'; task: TaskEvent }
  | { kind: 'ignored'; reason: IgnoredReason; message: string; eventId?: string; taskArn?: string };

/** A task is checked while it is starting or running and meant to keep running. */
export const APPLICABLE_LAST_STATUSES: readonly string[] = ['PENDING', 'ACTIVATING', 'RUNNING'];
export const APPLICABLE_DESIRED_STATUS = 'RUNNING';

export function parseTaskStateChange(input: unknown): ParsedEvent {
  if (!isRecord(input)) {
    return invalid(`event is not a JSON object (got ${describe(input)})`, {});
  }
  const ids = identifiers(input);
  if (input.source !== EVENT_SOURCE) {
    return invalid(`source: expected "${EVENT_SOURCE}", got ${describe(input.source)}`, ids);
  }
  if (input['detail-type'] !== EVENT_DETAIL_TYPE) {
    return invalid(
      `detail-type: expected "${EVENT_DETAIL_TYPE}", got ${describe(input['detail-type'])}`,
      ids,
    );
  }
  const detail = input.detail;
  if (!isRecord(detail)) return invalid(`detail: expected an object, got ${describe(detail)}`, ids);

  // Decide applicability before validating everything: a STOPPED task is not acted on either way.
  const { desiredStatus, lastStatus } = detail;
  if (isShortString(desiredStatus) && isShortString(lastStatus)) {
    if (desiredStatus !== APPLICABLE_DESIRED_STATUS || !APPLICABLE_LAST_STATUSES.includes(lastStatus)) {
      return {
        kind: 'ignored',
        reason: ReasonCode.EVENT_NOT_APPLICABLE,
        message: `task is ${lastStatus} with desired status ${desiredStatus}; only tasks that are ${APPLICABLE_LAST_STATUSES.join(
          ', ',
        )} with desired status ${APPLICABLE_DESIRED_STATUS} are checked`,
        ...ids,
      };
    }
  }

  const parsed = EnvelopeSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return invalid(listIssues(parsed.error.issues), ids);

  const e = parsed.data;
  const d = e.detail;
  // The schema's ARN patterns guarantee both parse; the checks keep the types honest.
  const clusterName = clusterNameOf(d.clusterArn);
  const taskDefinition = taskDefinitionOf(d.taskDefinitionArn);
  if (clusterName === undefined || taskDefinition === undefined) {
    return invalid('detail: cluster or task definition ARN cannot be parsed', ids);
  }
  const service = serviceOf(d.group);
  const task: TaskEvent = {
    eventId: e.id,
    time: e.time,
    account: e.account,
    region: e.region,
    clusterArn: d.clusterArn,
    clusterName,
    taskArn: d.taskArn,
    taskDefinitionArn: d.taskDefinitionArn,
    taskDefinitionFamily: taskDefinition.family,
    taskDefinitionRevision: taskDefinition.revision,
    ...(service !== undefined ? { service } : {}),
    ...optionalFields({
      group: d.group,
      startedBy: d.startedBy,
      launchType: d.launchType,
      updatedAt: d.updatedAt,
    }),
    lastStatus: d.lastStatus,
    desiredStatus: d.desiredStatus,
    version: d.version,
    containers: d.containers.map(parseContainer),
    serviceConnectContainers: serviceConnectContainers(d.attachments),
  };
  return { kind: 'task', task };
}

/** One container, on its own: a problem is kept with the container, never fails the task. */
function parseContainer(input: unknown, index: number): TaskContainer {
  const parsed = ContainerSchema.safeParse(input, { reportInput: true });
  if (parsed.success) {
    const c = parsed.data;
    return {
      name: c.name,
      ...optionalFields({
        image: c.image,
        imageDigest: c.imageDigest,
        containerArn: c.containerArn,
        lastStatus: c.lastStatus,
      }),
    };
  }
  const name = isRecord(input) ? input.name : undefined;
  const usableName =
    typeof name === 'string' && name.length > 0 && name.length <= EVENT_LIMITS.name ? name : undefined;
  const image = isRecord(input) ? input.image : undefined;
  return {
    name: usableName ?? `containers[${index}]`,
    // Shown (sanitised, capped) so the owner can tell which container it is; never verified.
    ...(typeof image === 'string' && image.length > 0 && image.length <= EVENT_LIMITS.image ? { image } : {}),
    problem: listIssues(parsed.error.issues, ['detail', 'containers', index]),
  };
}

/**
 * `attachments[{type:"ServiceConnect", details:[{name:"ContainerName", value}]}]`: the containers ECS
 * added for Service Connect. Read defensively and bounded; anything else in attachments is ignored.
 */
function serviceConnectContainers(attachments: readonly unknown[] | undefined): string[] {
  const names: string[] = [];
  for (const attachment of (attachments ?? []).slice(0, EVENT_LIMITS.attachments)) {
    if (!isRecord(attachment) || attachment.type !== 'ServiceConnect') continue;
    const details = Array.isArray(attachment.details) ? attachment.details : [];
    for (const detail of details.slice(0, EVENT_LIMITS.attachments)) {
      if (
        isRecord(detail) &&
        detail.name === 'ContainerName' &&
        typeof detail.value === 'string' &&
        detail.value.length > 0 &&
        detail.value.length <= EVENT_LIMITS.name
      )
        names.push(detail.value);
    }
  }
  return names;
}

function invalid(message: string, ids: { eventId?: string; taskArn?: string }): ParsedEvent {
  return { kind: 'ignored', reason: ReasonCode.EVENT_INVALID, message, ...ids };
}

/** Event id and task ARN for the `ignored` record, when present and sane (never huge strings). */
function identifiers(input: Record<string, unknown>): { eventId?: string; taskArn?: string } {
  const out: { eventId?: string; taskArn?: string } = {};
  if (typeof input.id === 'string' && input.id.length > 0 && input.id.length <= EVENT_LIMITS.eventId)
    out.eventId = input.id;
  const detail = input.detail;
  if (
    isRecord(detail) &&
    typeof detail.taskArn === 'string' &&
    detail.taskArn.length > 0 &&
    detail.taskArn.length <= EVENT_LIMITS.arn
  ) {
    out.taskArn = detail.taskArn;
  }
  return out;
}

function optionalFields<T extends Record<string, string | undefined>>(
  fields: T,
): Partial<Record<keyof T, string>> {
  const out: Partial<Record<keyof T, string>> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k as keyof T] = v;
  return out;
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= EVENT_LIMITS.status;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
