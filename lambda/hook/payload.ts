/**
 * The ECS deployment lifecycle hook payload (Lambda target), as ECS documents it: `executionId`,
 * `lifecycleStage`, `resourceArn` (the service deployment), `executionDetails` (the service and the
 * target service revision) and `hookDetails` (the hook's static configuration merged with what an
 * earlier IN_PROGRESS answer returned). zod/mini, loose objects (ECS adds fields over time), every
 * string capped: the payload ends up in logs and alerts.
 */
import * as z from 'zod/mini';
import { SERVICE_ARN_RE, SERVICE_DEPLOYMENT_ARN_RE, SERVICE_REVISION_ARN_RE } from './arns';

const LIMITS = { arn: 1600, id: 256, stage: 64, hookDetails: 16 * 1024 } as const;

const text = (max: number) =>
  z
    .string()
    .check(
      z.maxLength(max, { error: `is longer than ${max} characters`, abort: true }),
      z.minLength(1, 'must not be empty'),
    );
const arn = (re: RegExp, what: string) =>
  z
    .string()
    .check(
      z.maxLength(LIMITS.arn, { error: `is longer than ${LIMITS.arn} characters`, abort: true }),
      z.regex(re, `is not a ${what} ARN`),
    );

const HookPayloadSchema = z.looseObject({
  executionId: text(LIMITS.id),
  lifecycleStage: text(LIMITS.stage),
  resourceArn: arn(SERVICE_DEPLOYMENT_ARN_RE, 'service deployment'),
  executionDetails: z.looseObject({
    serviceArn: arn(SERVICE_ARN_RE, 'service'),
    targetServiceRevisionArn: arn(SERVICE_REVISION_ARN_RE, 'service revision'),
  }),
  // An object; CloudFormation's HookDetails is "a JSON object as a string", so a string is parsed too.
  hookDetails: z.optional(z.nullable(z.union([z.record(z.string(), z.unknown()), z.string()]))),
});

export interface HookPayload {
  executionId: string;
  lifecycleStage: string;
  /** The service deployment ARN (`service-deployment/CLUSTER/SERVICE/ID`). */
  serviceDeploymentArn: string;
  serviceArn: string;
  targetServiceRevisionArn: string;
  hookDetails: Record<string, unknown>;
}

export type ParsedHookPayload =
  | { ok: true; payload: HookPayload }
  | { ok: false; message: string; executionId?: string; serviceDeploymentArn?: string };

export function parseHookPayload(event: unknown): ParsedHookPayload {
  const parsed = HookPayloadSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`)
      .join('; ');
    const raw = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    return {
      ok: false,
      message: `not an ECS lifecycle hook payload: ${problems}`,
      ...(typeof raw.executionId === 'string' && raw.executionId.length <= LIMITS.id
        ? { executionId: raw.executionId }
        : {}),
      ...(typeof raw.resourceArn === 'string' && SERVICE_DEPLOYMENT_ARN_RE.test(raw.resourceArn)
        ? { serviceDeploymentArn: raw.resourceArn }
        : {}),
    };
  }
  const p = parsed.data;
  const details = hookDetailsOf(p.hookDetails);
  if (typeof details === 'string') return { ok: false, message: details, executionId: p.executionId };
  return {
    ok: true,
    payload: {
      executionId: p.executionId,
      lifecycleStage: p.lifecycleStage,
      serviceDeploymentArn: p.resourceArn,
      serviceArn: p.executionDetails.serviceArn,
      targetServiceRevisionArn: p.executionDetails.targetServiceRevisionArn,
      hookDetails: details,
    },
  };
}

/** The hook details as an object, or what is wrong with them. */
function hookDetailsOf(
  value: Record<string, unknown> | string | null | undefined,
): Record<string, unknown> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return value;
  if (value.length > LIMITS.hookDetails) return `hookDetails: longer than ${LIMITS.hookDetails} characters`;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  return 'hookDetails: not a JSON object';
}
