import { readFileSync } from 'node:fs';
import { lazyClient } from '../aws/lazy-client';
import { VerdictCache } from '../cache/verdict-cache';
import { buildIgnoredRecord } from '../decision/record';
import { DynamoDecisionLedger, InMemoryDecisionLedger } from '../enforce/decision-ledger';
import { toGuardError } from '../errors';
import { policySha256 } from '../policy/hash';
import { loadShippedPolicy } from '../policy/shipped';
import { ReasonCode } from '../reasons';
import type { GuardConfig } from './config';
import { createEngine, keyRingFor, rekorKeysFor } from './engine';
import { Guard, type AuditLogger, type GuardMetrics } from './guard';

export interface EventHandler {
  handle(event: unknown): Promise<unknown>;
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
    const engine = createEngine({
      registry: { insecureRegistries: policy.registries.insecure },
      cache: new VerdictCache(),
    });
    const ledger = config.ledgerTable
      ? new DynamoDecisionLedger(
          lazyClient(
            async () =>
              new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({
                region: config.region,
                maxAttempts: 3,
              }),
          ),
          config.ledgerTable,
        )
      : new InMemoryDecisionLedger();
    return new Guard({
      policy,
      policySha256: policySha256(policy),
      verifier: engine.verifier,
      keyRing: keyRingFor(policy, engine.kms),
      rekorKeys: rekorKeysFor(policy),
      enforcer: {
        // Loaded on first use: a guard that only ever allows tasks never loads these SDK clients.
        ecs: lazyClient(
          async () =>
            new (await import('@aws-sdk/client-ecs')).ECSClient({ region: config.region, maxAttempts: 5 }),
        ),
        sns: lazyClient(
          async () =>
            new (await import('@aws-sdk/client-sns')).SNSClient({ region: config.region, maxAttempts: 5 }),
        ),
        topicArn: config.topicArn,
        ledger,
      },
      logger,
      metrics,
      verifyDeadlineMs: config.verifyDeadlineMs,
    });
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
