import { readFileSync } from 'node:fs';
import { verdictCacheFor } from '../signer/revocation-for-policy';
import { buildIgnoredRecord } from '../decision/record';
import { toGuardError } from '../errors';
import { loadShippedPolicy } from '../policy/shipped';
import { ReasonCode } from '../reasons';
import type { GuardConfig } from './config';
import { composeGuard } from './composition';
import { DynamoApprovedDigests } from '../hook/approved-digests';
import { lazyDynamoDbClient } from './aws-clients';
import type { AuditLogger, GuardMetrics } from './guard';

export interface EventHandler {
  handle(event: unknown, options?: { deadlineMs?: number }): Promise<unknown>;
}

/**
 * Builds the guard once per execution environment. A policy that cannot be loaded does not crash
 * the init: each event is then logged with POLICY_INVALID and failed, so Lambda retries it and
 * finally dead-letters it (the alarm on the DLQ tells the platform team).
 */
export function createLambdaGuard(
  config: GuardConfig,
  logger: AuditLogger,
  metrics: GuardMetrics,
): EventHandler {
  try {
    const text = readFileSync(config.policyFile, 'utf8');
    const policy = loadShippedPolicy(text, config.policySha256, config.policyFile);
    // One DynamoDB client for the ledger and the hook's approvals (loaded on first use, like the ledger's).
    const dynamodb = lazyDynamoDbClient(config.region);
    return composeGuard({
      policy,
      // loadShippedPolicy just compared the file's hash with this one: no need to compute it again.
      ...(config.policySha256 === undefined ? {} : { policySha256: config.policySha256 }),
      region: config.region,
      cache: verdictCacheFor(policy),
      topicArn: config.topicArn,
      ledgerTable: config.ledgerTable,
      dynamodb,
      ...(config.approvedDigests && config.ledgerTable
        ? { approvedDigests: new DynamoApprovedDigests(dynamodb, config.ledgerTable) }
        : {}),
      ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
      logger,
      metrics,
      verifyDeadlineMs: config.verifyDeadlineMs,
    }).guard;
  } catch (e) {
    const error = toGuardError(e, ReasonCode.POLICY_INVALID);
    return {
      async handle(event: unknown) {
        const id = (event as { id?: unknown } | null)?.id;
        logger.error(
          'ignored',
          buildIgnoredRecord({
            time: new Date().toISOString(),
            eventId: typeof id === 'string' ? id : undefined,
            reason: ReasonCode.POLICY_INVALID,
            message: `the guard cannot start: ${error.message}`,
          }),
        );
        throw error;
      },
    };
  }
}
