/**
 * The hook's wiring, on the one composition root (guard/composition.ts composeEvaluation): the same
 * engine, key ring, policy and ECS client as the event's route, plus the revision reader, the
 * approved-digest store in the ledger table, and SNS.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { lazyDynamoDbClient, lazySnsClient } from '../guard/aws-clients';
import { composeEvaluation, type CompositionOptions, type Evaluation } from '../guard/composition';
import type { AuditLogger, GuardMetrics } from '../guard/guard';
import { DynamoApprovedDigests, type ApprovedDigestStore } from './approved-digests';
import { DeploymentHook, type DeploymentHookDeps } from './deployment-hook';
import type { HookTiming } from './hook-answer';
import { EcsServiceRevisionReader, type ServiceRevisionReader } from './service-revision';

export interface HookCompositionOptions extends CompositionOptions {
  logger: AuditLogger;
  metrics: GuardMetrics;
  verifyDeadlineMs: number;
  timing: HookTiming;
  topicArn?: string;
  /** The ledger table: approvals are recorded there (else `approved`, else nowhere). */
  ledgerTable?: string;
  approved?: ApprovedDigestStore;
  revisions?: ServiceRevisionReader;
  sns?: Sender<SNSClient>;
  dynamodb?: Sender<DynamoDBClient>;
  retry?: DeploymentHookDeps['retry'];
  now?: () => number;
  newId?: () => string;
}

export interface HookComposition extends Evaluation {
  hook: DeploymentHook;
}

export function composeHook(options: HookCompositionOptions): HookComposition {
  const evaluation = composeEvaluation(options);
  const sns = options.sns ?? lazySnsClient(options.region);
  const approved =
    options.approved ??
    (options.ledgerTable
      ? new DynamoApprovedDigests(options.dynamodb ?? lazyDynamoDbClient(options.region), options.ledgerTable)
      : undefined);
  const hook = new DeploymentHook({
    evaluator: evaluation.evaluator,
    revisions: options.revisions ?? new EcsServiceRevisionReader(evaluation.ecs),
    ...(approved ? { approved } : {}),
    sns,
    ...(options.topicArn ? { topicArn: options.topicArn } : {}),
    logger: options.logger,
    metrics: options.metrics,
    timing: options.timing,
    verifyDeadlineMs: options.verifyDeadlineMs,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
  });
  return { ...evaluation, hook };
}
