/**
 * The deployment hook end to end: an app holding the guard and a BLUE_GREEN service it protects
 * (`guard.protectService`), synthesized with esbuild bundling as `cdk synth` does; both functions'
 * assets (the hook's and the event path's) run in child processes against the same fakes (ECS, SNS,
 * KMS) and a local DynamoDB holding the template's ledger table.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsImageGuard } from '../../../lib/image-guard';
import type { TestKey } from '../signer';
import { startEcsFake, type EcsFake } from './ecs-fake';
import { E2E_LEDGER_TABLE, E2E_TOPIC_ARN, lambdaEnvironment } from './guard-e2e';
import { startKmsFake, type KmsFake } from './kms-fake';
import { LambdaProcess } from './lambda-process';
import { startLocalDynamoDb, type LocalDynamoDb } from './local-dynamodb';
import { startSnsFake, type SnsFake } from './sns-fake';
import { STACK_NAME, assetFolder, loggingEnvironment, splitHandler, type SynthesizedGuard } from './synth';
import { REGISTRY_PLACEHOLDER, withRegistry } from './synth-cache';

type Json = Record<string, unknown>;

export interface HookE2E {
  /** The hook function and the event function, each as the Lambda runtime would be given it. */
  hookFn: SynthesizedGuard;
  eventFn: SynthesizedGuard;
  /** The protected service's lifecycle hooks as the template writes them. */
  lifecycleHooks: Json[];
  ecs: EcsFake;
  sns: SnsFake;
  kms: KmsFake;
  dynamodb: LocalDynamoDb;
  startHook(): Promise<LambdaProcess>;
  startEventFunction(): Promise<LambdaProcess>;
  stop(): Promise<void>;
}

/** Synthesizes the app (policy naming REGISTRY_PLACEHOLDER) and starts the fakes. */
export async function startHookE2E(options: {
  policyYaml: string;
  registryHost: string;
  kmsKeys: Record<string, TestKey>;
}): Promise<HookE2E> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'image-guard-hook-e2e-cdk-out-'));
  const policyDir = mkdtempSync(path.join(tmpdir(), 'image-guard-hook-e2e-policy-'));
  const policyFile = path.join(policyDir, 'policy.yaml');
  writeFileSync(policyFile, options.policyYaml);

  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME);
  const guard = new EcsImageGuard(stack, 'Guard', { policyFile });
  const service = protectedService(stack);
  guard.protectService(service);
  app.synth();
  rmSync(policyDir, { recursive: true, force: true });

  const template = JSON.parse(
    readFileSync(path.join(outdir, `${STACK_NAME}.template.json`), 'utf8'),
  ) as SynthesizedGuard['template'];
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as never);
  const hookFn = withRegistry(functionOf(outdir, template, logicalId(hookOf(guard))), options.registryHost);
  const eventFn = withRegistry(functionOf(outdir, template, logicalId(guard.function)), options.registryHost);
  const serviceResource = template.Resources[logicalId(service)] as { Properties: Json };
  const lifecycleHooks = (serviceResource.Properties.DeploymentConfiguration as { LifecycleHooks: Json[] })
    .LifecycleHooks;

  const ledger =
    Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!.Properties ?? {};
  const [ecsFake, sns, kms, dynamodb] = await Promise.all([
    startEcsFake(),
    startSnsFake(E2E_TOPIC_ARN),
    startKmsFake(options.kmsKeys),
    startLocalDynamoDb(ledger, E2E_LEDGER_TABLE),
  ]);
  const endpoints = { ecs: ecsFake.url, sns: sns.url, kms: kms.url, dynamodb: dynamodb.url };
  const running = new Set<LambdaProcess>();
  const start = async (fn: SynthesizedGuard) => {
    const lp = await LambdaProcess.start({
      handlerFile: fn.handlerFile,
      handlerExport: fn.handlerExport,
      env: lambdaEnvironment(fn, endpoints),
      timeoutMs: fn.timeoutSeconds * 1000,
    });
    running.add(lp);
    return lp;
  };
  return {
    hookFn,
    eventFn,
    lifecycleHooks,
    ecs: ecsFake,
    sns,
    kms,
    dynamodb,
    startHook: () => start(hookFn),
    startEventFunction: () => start(eventFn),
    async stop() {
      await Promise.all([...running].map((lp) => lp.stop()));
      await Promise.all([ecsFake.stop(), sns.stop(), kms.stop(), dynamodb.stop()]);
      for (const dir of [hookFn.assetDir, eventFn.assetDir, outdir])
        rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The guard's hook construct (created by protectService). */
function hookOf(guard: EcsImageGuard): { node: { defaultChild?: unknown } } {
  return (
    guard.node.findChild('DeploymentHook') as unknown as { function: { node: { defaultChild?: unknown } } }
  ).function;
}

/** A headless BLUE_GREEN Fargate service in cluster prod-eu (no load balancer needed). */
function protectedService(stack: Stack): ecs.FargateService {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, clusterName: 'prod-eu' });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'WebTask');
  taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry(`${REGISTRY_PLACEHOLDER}/team/web:1.0`),
  });
  return new ecs.FargateService(stack, 'Web', {
    cluster,
    taskDefinition,
    deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    assignPublicIp: true,
  });
}

/** One function of the template, as the Lambda runtime is given it. */
export function functionOf(
  outdir: string,
  template: SynthesizedGuard['template'],
  logicalId: string,
): SynthesizedGuard {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::Lambda::Function')
    throw new Error(`${logicalId} is not a function of the template`);
  const p = resource.Properties as {
    Handler: string;
    Runtime: string;
    Timeout?: number;
    MemorySize?: number;
    LoggingConfig?: { LogFormat?: string; ApplicationLogLevel?: string };
    Code: { S3Key: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
  const assetDir = assetFolder(outdir, p.Code.S3Key);
  const [file, exportName] = splitHandler(p.Handler);
  if (!readdirSync(assetDir).includes(`${file}.js`)) throw new Error(`${assetDir} has no ${file}.js`);
  return {
    outdir,
    template,
    assetDir,
    handlerFile: path.join(assetDir, `${file}.js`),
    handlerExport: exportName,
    runtime: p.Runtime,
    timeoutSeconds: p.Timeout ?? 3,
    memorySize: p.MemorySize ?? 128,
    loggingEnvironment: loggingEnvironment(p.LoggingConfig),
    environment: p.Environment?.Variables ?? {},
    ledger: {},
  };
}
