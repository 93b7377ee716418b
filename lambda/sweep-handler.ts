/**
 * Lambda entry of the sweep: EventBridge Scheduler → one run over the running tasks in scope
 * (docs/sweep.md). Everything is built once per execution environment; the handler only delegates.
 */
import { jsonLineAuditLogger } from './guard/audit-log';
import { loadConfig } from './guard/config';
import { powertoolsMetrics } from './guard/powertools';
import { createLambdaSweep } from './sweep/lambda-sweep';

const sweep = createLambdaSweep(
  loadConfig(process.env, __dirname),
  jsonLineAuditLogger(),
  powertoolsMetrics(),
);

/** Time kept back from the function's timeout to finish in-flight decisions, alert and record the run. */
const DEADLINE_MARGIN_MS = 10_000;

export const handler = async (
  _event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<void> => {
  const remaining = context?.getRemainingTimeInMillis?.();
  await sweep.run(
    remaining === undefined ? {} : { deadlineMs: Math.max(1000, remaining - DEADLINE_MARGIN_MS) },
  );
};
