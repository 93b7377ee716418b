/**
 * Lambda entry: the ECS deployment lifecycle hook (PRE_SCALE_UP) → decision on the target service
 * revision → SUCCEEDED / FAILED / IN_PROGRESS, with one audit record per call. Built once per execution
 * environment; the handler only delegates.
 */
import { jsonLineAuditLogger } from './guard/audit-log';
import { powertoolsMetrics } from './guard/powertools';
import type { HookResponse } from './hook/deployment-hook';
import { loadHookConfig } from './hook/hook-config';
import { createLambdaHook } from './hook/hook-runtime';

const hook = createLambdaHook(
  () => loadHookConfig(process.env, __dirname),
  jsonLineAuditLogger(),
  powertoolsMetrics(),
);

/** Time kept back from the function's timeout to alert, record and answer. */
const DEADLINE_MARGIN_MS = 10_000;

export const handler = async (
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<HookResponse> => {
  const remaining = context?.getRemainingTimeInMillis?.();
  return hook.handle(event, remaining === undefined ? {} : { deadlineMs: remaining - DEADLINE_MARGIN_MS });
};
