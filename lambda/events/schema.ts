/**
 * The parts of an "ECS Task State Change" event (aws-facts.md §1) the guard uses, as zod/mini schemas
 * (the Lambda does not carry full zod). Objects are loose: ECS adds fields over time and says
 * deserializers must tolerate them. Every string the guard keeps is length-capped and every list is
 * bounded, because event content is partly chosen by whoever can run a task (image names) and ends up
 * in logs, alerts and registry requests.
 *
 * The task and its containers are validated separately: a container the guard cannot read is an error
 * for that container only, never a reason to skip the task (its other containers are still decided).
 */
import * as z from 'zod/mini';
import { CLUSTER_ARN_RE, TASK_ARN_RE, TASK_DEFINITION_ARN_RE } from './arns';

export const EVENT_LIMITS = {
  image: 2048,
  arn: 1600,
  name: 255,
  status: 64,
  text: 1024,
  eventId: 256,
  containers: 100,
  attachments: 50,
} as const;

export const EVENT_SOURCE = 'aws.ecs';
export const EVENT_DETAIL_TYPE = 'ECS Task State Change';

/** OCI digests the event may carry: sha256 (what ECS reports), and sha512 so it is verified, not ignored. */
export const DIGEST_RE = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Length is checked first and stops further checks, so no pattern ever runs over an oversized string. */
const text = (max: number) =>
  z
    .string()
    .check(
      z.maxLength(max, { error: `is longer than ${max} characters`, abort: true }),
      z.minLength(1, 'must not be empty'),
    );
const pattern = (max: number, re: RegExp, message: string) =>
  z
    .string()
    .check(
      z.maxLength(max, { error: `is longer than ${max} characters`, abort: true }),
      z.minLength(1, 'must not be empty'),
      z.regex(re, message),
    );

/** Optional fields: absent or null are both "not given". */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.nullish(schema),
    z.transform((v) => v ?? undefined),
  );

const arn = (re: RegExp, what: string) => pattern(EVENT_LIMITS.arn, re, `is not a ${what} ARN`);

/**
 * One container. `image` may be absent or null: AWS-injected agents (GuardDuty's has only a digest,
 * Service Connect's neither) are reported that way; whether such a container is acceptable is the
 * policy's question, not the parser's.
 */
export const ContainerSchema = z.looseObject({
  name: text(EVENT_LIMITS.name),
  image: optional(text(EVENT_LIMITS.image)),
  imageDigest: optional(pattern(200, DIGEST_RE, 'is not a sha256:<64 hex> digest')),
  containerArn: optional(text(EVENT_LIMITS.arn)),
  lastStatus: optional(text(EVENT_LIMITS.status)),
});

export const DetailSchema = z.looseObject({
  clusterArn: arn(CLUSTER_ARN_RE, 'cluster'),
  taskArn: arn(TASK_ARN_RE, 'task'),
  taskDefinitionArn: arn(TASK_DEFINITION_ARN_RE, 'task definition'),
  lastStatus: text(EVENT_LIMITS.status),
  desiredStatus: text(EVENT_LIMITS.status),
  version: z.number().check(z.int(), z.nonnegative('must not be negative'), z.lte(Number.MAX_SAFE_INTEGER)),
  group: optional(text(EVENT_LIMITS.text)),
  startedBy: optional(text(EVENT_LIMITS.text)),
  launchType: optional(text(EVENT_LIMITS.status)),
  updatedAt: optional(text(EVENT_LIMITS.status)),
  // Each container is checked on its own (ContainerSchema), after the task.
  containers: z
    .array(z.unknown())
    .check(
      z.minLength(1, 'lists no containers'),
      z.maxLength(EVENT_LIMITS.containers, `lists more than ${EVENT_LIMITS.containers} containers`),
    ),
  attachments: optional(z.array(z.unknown())),
});

export const EnvelopeSchema = z.looseObject({
  id: text(EVENT_LIMITS.eventId),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(EVENT_DETAIL_TYPE),
  account: z.string().check(z.regex(/^\d{12}$/, 'is not a 12-digit account id')),
  time: text(EVENT_LIMITS.status),
  region: z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'is not a region name')),
  detail: DetailSchema,
});
