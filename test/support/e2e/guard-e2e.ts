/**
 * Everything one end-to-end suite needs around the synthesized Lambda: the app synthesized once for
 * the suite (its policy names the suite's local registry), fakes of ECS, SNS and KMS, a local
 * DynamoDB holding the template's ledger table, and Lambda execution environments started on demand
 * with the template's environment and the SDK pointed at those endpoints.
 */
import { realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestKey } from '../signer';
import { startEcsFake, type EcsFake } from './ecs-fake';
import { startKmsFake, type KmsFake } from './kms-fake';
import { LambdaProcess } from './lambda-process';
import { startLocalDynamoDb, type LocalDynamoDb } from './local-dynamodb';
import { startSnsFake, type SnsFake } from './sns-fake';
import { resolveEnvironment, type SynthesizedGuard } from './synth';
import { cachedAssembly, withRegistry } from './synth-cache';

export const E2E_REGION = 'eu-west-1';
export const E2E_ACCOUNT = '111122223333';
export const E2E_TOPIC_ARN = `arn:aws:sns:${E2E_REGION}:${E2E_ACCOUNT}:GuardE2E-GuardAlertTopic-E2E`;
export const E2E_LEDGER_TABLE = 'GuardE2E-GuardDecisionLedger-E2E';
/** The access key id the Lambda processes sign with: the fakes count their calls by it. */
export const LAMBDA_ACCESS_KEY_ID = 'ASIAE2ELAMBDAROLE000';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

export interface GuardE2EOptions {
  /**
   * The policy file the construct is given (YAML), naming REGISTRY_PLACEHOLDER where the suite's
   * registry goes (images, `registries.insecure`).
   */
  policyYaml: string;
  /** The suite's registry (`127.0.0.1:<port>`), put in place of the placeholder. */
  registryHost: string;
  /** KMS key ARN → the test key whose public key GetPublicKey returns. */
  kmsKeys: Record<string, TestKey>;
}

export interface GuardE2E {
  synth: SynthesizedGuard;
  ecs: EcsFake;
  sns: SnsFake;
  kms: KmsFake;
  dynamodb: LocalDynamoDb;
  /** The environment a Lambda process gets (template variables resolved, endpoints, credentials). */
  env: Record<string, string>;
  /**
   * A new execution environment. `envOverrides` adds what a deployment would set beyond the
   * template (none by default).
   */
  startLambda(envOverrides?: Record<string, string>): Promise<LambdaProcess>;
  /** Ledger calls (DynamoDB operations) the Lambda processes made. */
  ledgerCalls(): string[];
  stop(): Promise<void>;
}

/** Synthesizes the app and starts the fakes; call `stop()` in afterAll. */
export async function startGuardE2E(options: GuardE2EOptions): Promise<GuardE2E> {
  const synth = withRegistry(await cachedAssembly(options.policyYaml), options.registryHost);
  const [ecs, sns, kms, dynamodb] = await Promise.all([
    startEcsFake(),
    startSnsFake(E2E_TOPIC_ARN),
    startKmsFake(options.kmsKeys),
    startLocalDynamoDb(synth.ledger, E2E_LEDGER_TABLE),
  ]);
  const env = lambdaEnvironment(synth, { ecs: ecs.url, sns: sns.url, kms: kms.url, dynamodb: dynamodb.url });
  const running = new Set<LambdaProcess>();
  return {
    synth,
    ecs,
    sns,
    kms,
    dynamodb,
    env,
    async startLambda(envOverrides = {}) {
      const lp = await LambdaProcess.start({
        handlerFile: synth.handlerFile,
        handlerExport: synth.handlerExport,
        env: { ...env, ...envOverrides },
        timeoutMs: synth.timeoutSeconds * 1000,
      });
      running.add(lp);
      return lp;
    },
    ledgerCalls: () => dynamodb.callsBy(LAMBDA_ACCESS_KEY_ID),
    async stop() {
      await Promise.all([...running].map((lp) => lp.stop()));
      await Promise.all([ecs.stop(), sns.stop(), kms.stop(), dynamodb.stop()]);
      // The suite's own copy of the asset (the cached assembly stays for the next suite).
      rmSync(synth.assetDir, { recursive: true, force: true });
    },
  };
}

/**
 * What Lambda sets for the function, plus the endpoints: the template's variables (tokens resolved to
 * the fakes' topic and table), the runtime's own variables, and temporary-credential-shaped keys. No
 * variable of the test process leaks in (no profile, no real credentials, no proxy settings).
 */
export function lambdaEnvironment(
  synth: SynthesizedGuard,
  endpoints: { ecs: string; sns: string; kms: string; dynamodb: string },
): Record<string, string> {
  const functionName = 'GuardE2E-GuardFunction-E2E';
  return {
    ...resolveEnvironment(synth, { topicArn: E2E_TOPIC_ARN, ledgerTable: E2E_LEDGER_TABLE }),
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: synth.assetDir,
    AWS_EXECUTION_ENV: `AWS_Lambda_${synth.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(synth.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/03/02/[$LATEST]e2e',
    ...synth.loggingEnvironment,
    AWS_REGION: E2E_REGION,
    AWS_DEFAULT_REGION: E2E_REGION,
    AWS_ACCESS_KEY_ID: LAMBDA_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'e2e-lambda-secret-access-key',
    AWS_SESSION_TOKEN: 'e2e-lambda-session-token',
    // Nothing from a developer's ~/.aws, no instance metadata lookups.
    AWS_CONFIG_FILE: path.join(synth.outdir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(synth.outdir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_ECS: endpoints.ecs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_KMS: endpoints.kms,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // nodejs24.x provides @aws-sdk/* and @smithy/* (the bundle leaves them external): here the repo's.
    NODE_PATH: realpathSync(path.join(REPO_ROOT, 'node_modules')),
  };
}
