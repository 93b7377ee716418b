/**
 * The one composition root: builds the engine (registry client, verifier, KMS loader), the key ring,
 * the ECS lookups, the AWS clients, the ledger and the Guard, for every entry that runs the event's
 * route: the Lambda (lambda-runtime.ts), `image-guard check`, the tests' support and the bench. Each
 * entry says only what differs (credentials, clients the tests mock, no side effects in the CLI).
 *
 * Every AWS client made here has connection and request timeouts and bounded retries, and is loaded on
 * first use (a guard that only ever allows tasks never loads the ECS or SNS client; with a ledger table
 * it loads DynamoDB's to remember each final decision for the sweep).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { lazyDynamoDbClient, lazyEcsClient, lazySnsClient } from './aws-clients';
import type { VerdictCache } from '../cache/verdict-cache';
import type { RekorKey } from '../cosign/types';
import {
  DynamoDecisionLedger,
  InMemoryDecisionLedger,
  type DecisionLedger,
} from '../enforce/decision-ledger';
import type { EnforcerDeps } from '../enforce/enforcer';
import { EcsTaskLookups, NO_TASK_LOOKUPS, type TaskLookups } from '../ecs/task-lookups';
import type { ApprovedDigestReader } from '../hook/approved-digests';
import type { KmsKeyLoader } from '../keys/kms-key-loader';
import type { RevocationChecker } from '../notation/types';
import { policySha256 } from '../policy/hash';
import { DynamoDecisionMemory, type DecisionMemory } from '../sweep/decision-memory';
import { alertWindowMinutes } from '../policy/alert-window';
import type { Policy } from '../policy/schema';
import type { RegistryClientOptions } from '../registry/options';
import type { CredentialProvider } from '../registry/types';
import { revocationForPolicy } from '../signer/revocation-for-policy';
import { createEngine, keyRingFor, rekorKeysFor, type Engine } from './engine';
import type { TaskEvaluatorDeps } from './evaluate-task';
import { Guard, type AuditLogger, type GuardMetrics } from './guard';
import type { KeyRing } from './key-ring';

export interface CompositionOptions {
  policy: Policy;
  /** The policy's hash when the caller already checked it (the Lambda, against the deployed one). */
  policySha256?: string;
  region?: string;
  /** Registry options; the policy's insecure registries are always added. */
  registry?: RegistryClientOptions;
  /** Credentials besides ECR's (the CLI adds Docker's config.json). */
  extraCredentials?: CredentialProvider;
  kms?: KmsKeyLoader;
  /** A verdict cache, for a long-lived process (the Lambda). */
  cache?: VerdictCache;
  /** `none`: no ECS lookups (every answer "unknown"); default: ECS through `ecs`. */
  lookups?: 'ecs' | 'none';
  ecs?: Sender<ECSClient>;
  /** The deployment hook's approvals, read for service tasks (only where the hook protects services). */
  approvedDigests?: ApprovedDigestReader;
  /** AWS Signer revocation; default: signer:GetRevocationStatus when a rule names an AWS Signer signer. */
  revocation?: RevocationChecker;
}

/** The event's route without side effects: what `image-guard check` needs. */
export interface Evaluation {
  policy: Policy;
  policySha256: string;
  engine: Engine;
  keyRing: KeyRing;
  rekorKeys: RekorKey[];
  lookups: TaskLookups;
  ecs: Sender<ECSClient>;
  /** The deps of evaluateTask. */
  evaluator: TaskEvaluatorDeps;
}

export function composeEvaluation(options: CompositionOptions): Evaluation {
  const { policy } = options;
  const engine = createEngine({
    registry: {
      ...options.registry,
      insecureRegistries: [...policy.registries.insecure, ...(options.registry?.insecureRegistries ?? [])],
    },
    ...(options.extraCredentials ? { extraCredentials: options.extraCredentials } : {}),
    ...(options.kms ? { kms: options.kms } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
  });
  const ecs = options.ecs ?? lazyEcsClient(options.region);
  const lookups = options.lookups === 'none' ? NO_TASK_LOOKUPS : new EcsTaskLookups(ecs);
  const hash = options.policySha256 ?? policySha256(policy);
  const keyRing = keyRingFor(policy, engine.kms);
  const rekorKeys = rekorKeysFor(policy);
  const revocation = options.revocation ?? revocationForPolicy(policy, options.region);
  return {
    policy,
    policySha256: hash,
    engine,
    keyRing,
    rekorKeys,
    lookups,
    ecs,
    evaluator: {
      policy,
      policySha256: hash,
      verifier: engine.verifier,
      keyRing,
      rekorKeys,
      lookups,
      ...(options.approvedDigests ? { approved: options.approvedDigests } : {}),
      ...(revocation ? { revocation } : {}),
    },
  };
}

export interface GuardCompositionOptions extends CompositionOptions {
  logger: AuditLogger;
  metrics: GuardMetrics;
  verifyDeadlineMs: number;
  topicArn?: string;
  /** A DynamoDB table for the shared ledger; else `ledger`, else an in-memory one. */
  ledgerTable?: string;
  /** Lease of a ledger claim (a retry takes a claim over once it expires); default: the ledger's. */
  leaseMs?: number;
  ledger?: DecisionLedger;
  /** Final decisions for the sweep; default: in `ledgerTable` (key prefix `final#`), else none. */
  memory?: DecisionMemory;
  sns?: Sender<SNSClient>;
  dynamodb?: Sender<DynamoDBClient>;
  /** Enforcement tuning (tests and the bench: retry timing, clock, waiting for another claim). */
  enforcer?: Partial<Omit<EnforcerDeps, 'ecs' | 'sns' | 'topicArn' | 'ledger'>>;
  now?: () => number;
  newId?: () => string;
}

export interface GuardComposition extends Evaluation {
  guard: Guard;
  enforcer: EnforcerDeps;
  memory?: DecisionMemory;
}

export function composeGuard(options: GuardCompositionOptions): GuardComposition {
  const evaluation = composeEvaluation(options);
  const sns = options.sns ?? lazySnsClient(options.region);
  const dynamodb = options.dynamodb ?? lazyDynamoDbClient(options.region);
  const memory =
    options.memory ??
    (options.ledgerTable ? new DynamoDecisionMemory(dynamodb, options.ledgerTable) : undefined);
  const ledger =
    options.ledger ??
    (options.ledgerTable
      ? new DynamoDecisionLedger(
          dynamodb,
          options.ledgerTable,
          undefined,
          undefined,
          options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs },
        )
      : new InMemoryDecisionLedger());
  const enforcer: EnforcerDeps = {
    ecs: evaluation.ecs,
    sns,
    ...(options.topicArn ? { topicArn: options.topicArn } : {}),
    ledger,
    alertWindowMs: alertWindowMinutes(evaluation.policy) * 60_000,
    ...options.enforcer,
  };
  const guard = new Guard({
    ...evaluation.evaluator,
    enforcer,
    logger: options.logger,
    metrics: options.metrics,
    verifyDeadlineMs: options.verifyDeadlineMs,
    ...(memory ? { memory } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
  });
  return { ...evaluation, guard, enforcer, ...(memory ? { memory } : {}) };
}
