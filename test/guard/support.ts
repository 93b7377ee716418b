/**
 * Shared pieces of the Guard scenario suites: recorded ECS events rewritten to point at a local
 * registry, a Guard wired like the Lambda's (real RegistryClient, real verifier, KMS/ECS/SNS through
 * aws-sdk-client-mock), recording logger and metrics, and pushers for signed images.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { InMemoryDecisionLedger, type DecisionLedger } from '../../lambda/enforce/decision-ledger';
import type { EnforcerDeps } from '../../lambda/enforce/enforcer';
import { composeGuard } from '../../lambda/guard/composition';
import type { Engine } from '../../lambda/guard/engine';
import type { Guard, AuditLogger, GuardMetricName, GuardMetrics } from '../../lambda/guard/guard';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { parsePolicy } from '../../lambda/policy/load';
import type { Policy } from '../../lambda/policy/schema';
import type { RegistryClientOptions } from '../../lambda/registry/options';
import type { DecisionRecord, IgnoredRecord } from '../../lambda/decision/types';
import { VerdictCache } from '../../lambda/cache/verdict-cache';
import {
  pushArtifact,
  pushImage,
  pushReferrersTagIndex,
  type PushedManifest,
  type RegistryEndpoint,
} from '../support/registry';
import {
  makeBundle,
  makeBundleReferrerManifest,
  makeLegacySignature,
  makeSigManifest,
  sigTagFor,
  type TestKey,
} from '../support/signer';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:image-guard-alerts`;
export const KMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

// ---------------------------------------------------------------- events

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'events');

export type FixtureName =
  | 'ec2-service-pending-digest'
  | 'ec2-multi-container-running'
  | 'ec2-runtask-pending-no-digest'
  | 'fargate-running-docs'
  | 'ec2-stopped'
  | 'fargate-guardduty-pending'
  | 'fargate-service-connect-running';

type Json = Record<string, unknown>;

/** A recorded ECS event, freshly parsed (callers may mutate it). */
export function loadFixture(name: FixtureName): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Json;
}

export interface EventContainer {
  name?: string;
  /** `undefined` removes the image (as GuardDuty's agent is reported); null keeps a null image. */
  image?: string | null;
  /** Omitted: the fixture's container keeps no digest (`null` also removes it). */
  imageDigest?: string | null;
}

export interface EventOptions {
  fixture?: FixtureName;
  cluster?: string;
  /** The task id (last ARN part); a unique one per test keeps tasks apart. */
  taskId: string;
  /** Replaces the fixture's containers in order (names kept unless given). */
  containers: EventContainer[];
  lastStatus?: string;
  version?: number;
  id?: string;
  /** Makes it a task of this service (`group: service:NAME`). */
  service?: string;
}

/** A recorded event with cluster, task and images rewritten to point at the local registry. */
export function taskEvent(options: EventOptions): Json {
  const event = loadFixture(options.fixture ?? 'ec2-service-pending-digest');
  const detail = event.detail as Json;
  const cluster = options.cluster ?? 'prod-eu';
  const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`;
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${options.taskId}`;
  detail.clusterArn = clusterArn;
  detail.taskArn = taskArn;
  event.resources = [taskArn];
  if (options.id !== undefined) event.id = options.id;
  if (options.lastStatus !== undefined) detail.lastStatus = options.lastStatus;
  if (options.version !== undefined) detail.version = options.version;
  if (options.service !== undefined) detail.group = `service:${options.service}`;
  const recorded = detail.containers as Json[];
  detail.containers = options.containers.map((c, i) => {
    const base = { ...(recorded[i] ?? recorded[0]) } as Json;
    base.taskArn = taskArn;
    if (c.name !== undefined) base.name = c.name;
    if (c.image === undefined) delete base.image;
    else base.image = c.image;
    if (c.imageDigest === undefined || c.imageDigest === null) delete base.imageDigest;
    else base.imageDigest = c.imageDigest;
    if (options.lastStatus !== undefined) base.lastStatus = options.lastStatus;
    return base;
  });
  return event;
}

let taskCounter = 0;
/** A 32-hex task id, unique within the test process. */
export function newTaskId(): string {
  taskCounter += 1;
  return `${Date.now().toString(16)}${taskCounter.toString(16)}`.padStart(32, '0').slice(-32);
}

// ---------------------------------------------------------------- recording logger and metrics

export interface LogLine {
  level: 'info' | 'error';
  message: string;
  fields: DecisionRecord | IgnoredRecord;
}

export class RecordingLogger implements AuditLogger {
  readonly lines: LogLine[] = [];
  info(message: string, fields: object): void {
    // A JSON round trip, as CloudWatch Logs would see the line.
    this.lines.push({
      level: 'info',
      message,
      fields: JSON.parse(JSON.stringify(fields)) as LogLine['fields'],
    });
  }
  error(message: string, fields: object): void {
    this.lines.push({
      level: 'error',
      message,
      fields: JSON.parse(JSON.stringify(fields)) as LogLine['fields'],
    });
  }
  decisions(): DecisionRecord[] {
    return this.lines
      .filter((l) => l.fields.type === 'image-guard.decision')
      .map((l) => l.fields as DecisionRecord);
  }
  ignored(): IgnoredRecord[] {
    return this.lines
      .filter((l) => l.fields.type === 'image-guard.ignored')
      .map((l) => l.fields as IgnoredRecord);
  }
}

export class RecordingMetrics implements GuardMetrics {
  readonly counts: Partial<Record<GuardMetricName, number>> = {};
  readonly latencies: number[] = [];
  flushes = 0;
  count(name: GuardMetricName, value = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + value;
  }
  latency(_name: 'VerificationLatency', ms: number): void {
    this.latencies.push(ms);
  }
  flush(): void {
    this.flushes += 1;
  }
}

// ---------------------------------------------------------------- the guard under test

/** Registry options that keep failure paths short (no timing is asserted). */
export const FAST_REGISTRY: RegistryClientOptions = {
  requestTimeoutMs: 2000,
  maxAttempts: 2,
  baseBackoffMs: 1,
  maxBackoffMs: 5,
  maxRetryAfterMs: 20,
};

export interface GuardSetup {
  guard: Guard;
  engine: Engine;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  policy: Policy;
  ledger: DecisionLedger;
}

export interface GuardOptions {
  /** The policy as it would be written (JSON), parsed and compiled like the Lambda does. */
  policy: Json;
  registry?: RegistryClientOptions;
  topicArn?: string | null;
  ledger?: DecisionLedger;
  verifyDeadlineMs?: number;
  cache?: VerdictCache;
  kmsFailureBackoffMs?: number;
  /** Enforcer settings (retries, alert window) over the defaults. */
  enforcer?: Partial<Pick<EnforcerDeps, 'retry' | 'alertWindowMs' | 'budgetMs'>>;
}

/** A Guard built the way createLambdaGuard builds it, with AWS clients that the mocks answer. */
export function buildGuard(options: GuardOptions): GuardSetup {
  const policy = parsePolicy(JSON.stringify(options.policy), { source: 'test-policy.json' });
  const kms = new KmsKeyLoader({
    clientFor: (region) => new KMSClient({ region: region ?? REGION }),
    failureBackoffMs: options.kmsFailureBackoffMs ?? 0,
  });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const ledger = options.ledger ?? new InMemoryDecisionLedger();
  const topicArn = options.topicArn === null ? undefined : (options.topicArn ?? TOPIC_ARN);
  const { guard, engine } = composeGuard({
    policy,
    region: REGION,
    registry: { ...FAST_REGISTRY, ...options.registry },
    kms,
    ...(options.cache ? { cache: options.cache } : {}),
    ecs: new ECSClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    ...(topicArn ? { topicArn } : {}),
    ledger,
    ...(options.enforcer ? { enforcer: options.enforcer } : {}),
    logger,
    metrics,
    verifyDeadlineMs: options.verifyDeadlineMs ?? 20_000,
  });
  return { guard, engine, logger, metrics, policy, ledger };
}

/** GetPublicKey answered as KMS answers it for an ECC_NIST_P256 signing key. */
export function answerKms(kms: AwsClientStub<KMSClient>, key: TestKey, keyArn = KMS_KEY_ARN): void {
  kms.on(GetPublicKeyCommand).resolves({
    $metadata: { httpStatusCode: 200, requestId: 'kms-req-1', attempts: 1, totalRetryDelay: 0 },
    KeyId: keyArn,
    PublicKey: new Uint8Array(key.spkiDer),
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['ECDSA_SHA_256'],
  });
}

// ---------------------------------------------------------------- images and signatures

export interface PushedImage {
  repo: string;
  tag: string;
  manifest: PushedManifest;
  digest: string;
  /** `host:port/repo:tag` as a task definition names it. */
  image: string;
  /** `host:port/repo` (cosign's docker-reference). */
  repository: string;
}

export async function pushTestImage(
  endpoint: RegistryEndpoint,
  repo: string,
  tag: string,
): Promise<PushedImage> {
  const manifest = await pushImage(endpoint, repo, tag);
  return {
    repo,
    tag,
    manifest,
    digest: manifest.digest,
    image: `${endpoint.host}/${repo}:${tag}`,
    repository: `${endpoint.host}/${repo}`,
  };
}

/**
 * cosign's legacy `.sig` image for `target`, one layer per key, signed over a payload naming
 * `signedDigest` (default the target's own digest; another one makes a copied signature).
 */
export async function pushLegacySignatures(
  endpoint: RegistryEndpoint,
  target: PushedImage,
  keys: TestKey[],
  options: { signedDigest?: string } = {},
): Promise<PushedManifest> {
  const layers = keys.map((key) =>
    makeLegacySignature({
      imageDigest: options.signedDigest ?? target.digest,
      dockerReference: target.repository,
      key,
    }),
  );
  const sig = makeSigManifest(layers);
  return pushArtifact(endpoint, target.repo, sigTagFor(target.digest), sig);
}

/** A cosign v3 bundle referrer for `target`, listed in the `sha256-<hex>` referrers tag index. */
export async function pushBundleSignature(
  endpoint: RegistryEndpoint,
  target: PushedImage,
  key: TestKey,
): Promise<PushedManifest> {
  const bundle = makeBundle({ imageDigest: target.digest, key });
  const referrer = makeBundleReferrerManifest(bundle, {
    mediaType: target.manifest.mediaType,
    digest: target.manifest.digest,
    size: target.manifest.size,
  });
  const pushed = await pushArtifact(endpoint, target.repo, referrer.digest, referrer);
  await pushReferrersTagIndex(endpoint, target.repo, target.digest, [
    {
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      artifactType: referrer.artifactType,
    },
  ]);
  return pushed;
}
