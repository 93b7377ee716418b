/**
 * The app synthesized through the real construct, with esbuild bundling as `cdk synth` does it, and
 * what the Lambda runtime would be given: the asset folder holding index.js and policy.json, the
 * handler, and the function's environment as the template writes it.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EcsImageGuard, type EcsImageGuardProps } from '../../../lib/image-guard';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}

export const STACK_NAME = 'GuardE2E';

export interface SynthesizedGuard {
  /** The cloud assembly directory (cdk.out). */
  outdir: string;
  template: { Resources: Record<string, Resource> };
  /** The function's asset folder, as Lambda unpacks the zip into /var/task. */
  assetDir: string;
  /** `index.js` in the asset folder, and the export the template's `Handler` names. */
  handlerFile: string;
  handlerExport: string;
  runtime: string;
  timeoutSeconds: number;
  memorySize: number;
  /** What Lambda sets from the function's LoggingConfig (AWS_LAMBDA_LOG_FORMAT, AWS_LAMBDA_LOG_LEVEL). */
  loggingEnvironment: Record<string, string>;
  /** Environment.Variables of the function, CloudFormation tokens and all. */
  environment: Record<string, unknown>;
  /** The decision ledger table's definition (key schema, attributes, TTL). */
  ledger: Json;
  /** Wall time of the synthesis, when this call ran it (for the report, never asserted). */
  synthMs?: number;
}

/**
 * Synthesizes a stack holding one EcsImageGuard into `outdir` (default: a fresh temp dir), bundling
 * the handler with esbuild as `cdk synth` does.
 */
export function synthesizeGuard(
  props: EcsImageGuardProps,
  outdir = mkdtempSync(path.join(tmpdir(), 'image-guard-e2e-cdk-out-')),
): SynthesizedGuard {
  const started = Date.now();
  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME);
  new EcsImageGuard(stack, 'Guard', props);
  app.synth();
  return { ...readAssembly(outdir), synthMs: Date.now() - started };
}

/** The function as a synthesized cloud assembly defines it. */
export function readAssembly(outdir: string): SynthesizedGuard {
  const template = JSON.parse(
    readFileSync(path.join(outdir, `${STACK_NAME}.template.json`), 'utf8'),
  ) as SynthesizedGuard['template'];
  const fn = onlyOfType(template, 'AWS::Lambda::Function');
  const props_ = fn.Properties as {
    Handler: string;
    Runtime: string;
    Timeout?: number;
    MemorySize?: number;
    LoggingConfig?: { LogFormat?: string; ApplicationLogLevel?: string };
    Code: { S3Key: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
  const assetDir = assetFolder(outdir, props_.Code.S3Key);
  const [file, exportName] = splitHandler(props_.Handler);
  const handlerFile = path.join(assetDir, `${file}.js`);
  if (!readdirSync(assetDir).includes(`${file}.js`)) {
    throw new Error(`the function's asset ${assetDir} has no ${file}.js (Handler ${props_.Handler})`);
  }
  return {
    outdir,
    template,
    assetDir,
    handlerFile,
    handlerExport: exportName,
    runtime: props_.Runtime,
    // CloudFormation's defaults when the template leaves them out.
    timeoutSeconds: props_.Timeout ?? 3,
    memorySize: props_.MemorySize ?? 128,
    loggingEnvironment: loggingEnvironment(props_.LoggingConfig),
    environment: props_.Environment?.Variables ?? {},
    ledger: onlyOfType(template, 'AWS::DynamoDB::Table').Properties ?? {},
  };
}

export function loggingEnvironment(
  config: { LogFormat?: string; ApplicationLogLevel?: string } | undefined,
): Record<string, string> {
  if (config?.LogFormat !== 'JSON') return {};
  return { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: config.ApplicationLogLevel ?? 'INFO' };
}

function onlyOfType(template: SynthesizedGuard['template'], type: string): Resource {
  const found = Object.values(template.Resources).filter((r) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  return found[0]!;
}

/** The asset whose zip the function's Code.S3Key names, found through the asset manifest. */
export function assetFolder(outdir: string, s3Key: string): string {
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${STACK_NAME}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string } }>;
  };
  for (const [hash, file] of Object.entries(manifest.files)) {
    if (`${hash}.zip` === s3Key && file.source.packaging === 'zip') {
      return path.join(outdir, file.source.path);
    }
  }
  throw new Error(`no zip asset for the function's S3Key ${s3Key} in ${STACK_NAME}.assets.json`);
}

/** `index.handler` → [`index`, `handler`]: the module path and its export, as the Node.js runtime reads it. */
export function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`Handler ${handler} is not <module>.<export>`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/**
 * The environment as Lambda would set it: the template's values with each CloudFormation token
 * replaced by what the named resource resolves to here. A token this function does not know fails
 * loudly (a new variable must be given a local value on purpose, not passed as `[object Object]`).
 */
export function resolveEnvironment(
  synth: SynthesizedGuard,
  refs: { topicArn: string; ledgerTable: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(synth.environment)) {
    out[name] = resolveToken(synth, name, value, refs);
  }
  return out;
}

function resolveToken(
  synth: SynthesizedGuard,
  name: string,
  value: unknown,
  refs: { topicArn: string; ledgerTable: string },
): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  const type = typeof ref === 'string' ? synth.template.Resources[ref]?.Type : undefined;
  if (type === 'AWS::SNS::Topic') return refs.topicArn;
  if (type === 'AWS::DynamoDB::Table') return refs.ledgerTable;
  throw new Error(
    `environment variable ${name} is ${JSON.stringify(value)}: the e2e harness has no local value for it`,
  );
}
