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

export const handler = async (event: unknown): Promise<void> => {
  await guard.handle(event);
};
