/**
 * Lambda entry: EventBridge "ECS Task State Change" → decision → stop/alert → audit record.
 * Everything is built once per execution environment; the handler only delegates.
 */
import { loadConfig } from './guard/config';
import { createLambdaGuard } from './guard/lambda-runtime';
import { jsonLineAuditLogger } from './guard/audit-log';
import { powertoolsMetrics } from './guard/powertools';

const guard = createLambdaGuard(
  loadConfig(process.env, __dirname),
  jsonLineAuditLogger(),
  powertoolsMetrics(),
);

/** Time kept back from the function's timeout to record the decision and flush metrics. */
const DEADLINE_MARGIN_MS = 3000;

export const handler = async (
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<void> => {
  const remaining = context?.getRemainingTimeInMillis?.();
  await guard.handle(event, remaining === undefined ? {} : { deadlineMs: remaining - DEADLINE_MARGIN_MS });
};
