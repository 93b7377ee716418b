import { readFileSync } from 'node:fs';
import { toGuardError } from '../errors';
import type { GuardConfig } from '../guard/config';
import type { AuditLogger, GuardMetrics } from '../guard/guard';
import { loadShippedPolicy } from '../policy/shipped';
import { ReasonCode } from '../reasons';
import { verdictCacheFor } from '../signer/revocation-for-policy';
import { composeSweep } from './compose-sweep';

export interface SweepRunner {
  run(options?: { deadlineMs?: number }): Promise<unknown>;
}

/**
 * Builds the sweep once per execution environment, from the same configuration as the event path. A
 * policy that cannot be loaded fails every run loudly (logged with POLICY_INVALID, then thrown: the
 * function's error alarm tells the platform team), never a silent pass.
 */
export function createLambdaSweep(
  config: GuardConfig,
  logger: AuditLogger,
  metrics: GuardMetrics,
): SweepRunner {
  try {
    const text = readFileSync(config.policyFile, 'utf8');
    const policy = loadShippedPolicy(text, config.policySha256, config.policyFile);
    return composeSweep({
      policy,
      ...(config.policySha256 === undefined ? {} : { policySha256: config.policySha256 }),
      region: config.region,
      // Kept across runs of a warm environment: an unchanged fleet costs no registry request.
      cache: verdictCacheFor(policy),
      topicArn: config.topicArn,
      ledgerTable: config.ledgerTable,
      ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
      logger,
      metrics,
      verifyDeadlineMs: config.verifyDeadlineMs,
    }).sweep;
  } catch (e) {
    const error = toGuardError(e, ReasonCode.POLICY_INVALID);
    return {
      async run() {
        logger.error('sweep', {
          type: 'image-guard.sweep',
          time: new Date().toISOString(),
          reason: ReasonCode.POLICY_INVALID,
          message: `the sweep cannot start: ${error.message}`,
        });
        throw error;
      },
    };
  }
}
