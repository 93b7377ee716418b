import { readFileSync } from 'node:fs';
import { verdictCacheFor } from '../signer/revocation-for-policy';
import { toGuardError } from '../errors';
import type { AuditLogger, GuardMetrics } from '../guard/guard';
import { loadShippedPolicy } from '../policy/shipped';
import { ReasonCode } from '../reasons';
import { composeHook } from './compose-hook';
import type { HookConfig } from './hook-config';
import { buildHookRecord } from './hook-record';
import type { HookResponse } from './deployment-hook';
import { hookStateOf } from './hook-answer';

export interface HookHandler {
  handle(event: unknown, options?: { deadlineMs?: number }): Promise<HookResponse>;
}

/**
 * Builds the hook once per execution environment. A policy (or environment) that cannot be loaded
 * does not crash the init: every call is then answered FAILED with a POLICY_INVALID record — a
 * deployment is never let through unverified, and ECS's rollback says so in the deployment.
 */
export function createLambdaHook(
  load: () => HookConfig,
  logger: AuditLogger,
  metrics: GuardMetrics,
): HookHandler {
  try {
    const config = load();
    const text = readFileSync(config.policyFile, 'utf8');
    const policy = loadShippedPolicy(text, config.policySha256, config.policyFile);
    const { hook } = composeHook({
      policy,
      ...(config.policySha256 === undefined ? {} : { policySha256: config.policySha256 }),
      region: config.region,
      cache: verdictCacheFor(policy),
      topicArn: config.topicArn,
      ledgerTable: config.ledgerTable,
      logger,
      metrics,
      verifyDeadlineMs: config.verifyDeadlineMs,
      timing: config.timing,
    });
    return { handle: async (event, options) => (await hook.handle(event, options)).response };
  } catch (e) {
    const error = toGuardError(e, ReasonCode.POLICY_INVALID);
    return {
      async handle() {
        const now = Date.now();
        logger.error(
          'decision',
          buildHookRecord({
            decisionId: 'init-failed',
            time: new Date(now).toISOString(),
            mode: 'enforce',
            hookStatus: 'FAILED',
            hookReason: 'the guard cannot start',
            alerted: false,
            containers: [],
            policySha256: '',
            durationMs: 0,
            state: hookStateOf({}, now),
            waitedOut: false,
            problem: {
              reason: ReasonCode.POLICY_INVALID,
              message: `the guard cannot start: ${error.message}`,
            },
          }),
        );
        return { hookStatus: 'FAILED' };
      },
    };
  }
}
