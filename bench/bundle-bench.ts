/**
 * The Lambda bundle as the CDK construct builds it (lib/image-guard.ts → NodejsFunction: esbuild
 * --bundle --platform=node --target=node24 --format=cjs --minify --sourcemap, externals as the
 * construct's LAMBDA_EXTERNAL_MODULES, policy.json beside index.js), its size, and its import time in fresh
 * node processes with the construct's environment.
 */
import { LAMBDA_BUNDLE_DEFINE, LAMBDA_EXTERNAL_MODULES } from '../lib/policy-bundle';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { resolvePolicy } from '../lib/guard-policy';
import { POLICY_FILE_NAME } from '../lib/policy-bundle';
import { timeNode } from './cli-bench';
import type { Report } from './report';
import { summarize, type Summary } from './stats';

const SECTION = 'Lambda bundle';
const ROOT = path.resolve(__dirname, '..');
const MB = 1024 * 1024;

/** Import-time targets (ms over an empty node), without and with the construct's source maps. */
const IMPORT_TARGET_MS = 60;
const IMPORT_TARGET_WITH_MAPS_MS = 100;

/** Which package (or own folder, e.g. lambda/policy) a metafile input path belongs to. */
function ownerOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.split('/').slice(0, 2).join('/');
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
}

function bytesByOwner(meta: Metafile, outfile: string): Map<string, number> {
  const output = Object.entries(meta.outputs).find(([file]) => path.resolve(ROOT, file) === outfile)?.[1];
  if (!output) throw new Error(`esbuild metafile has no output ${outfile}`);
  const owners = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    owners.set(ownerOf(input), (owners.get(ownerOf(input)) ?? 0) + bytesInOutput);
  }
  return owners;
}

/** The construct's environment (IMAGE_GUARD_*, Powertools, NODE_OPTIONS) for a bundle in `dir`. */
function lambdaEnv(dir: string, policySha256: string, withSourceMaps: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: 'eu-west-1',
    IMAGE_GUARD_POLICY_FILE: path.join(dir, POLICY_FILE_NAME),
    IMAGE_GUARD_POLICY_SHA256: policySha256,
    IMAGE_GUARD_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:image-guard-alerts',
    IMAGE_GUARD_LEDGER_TABLE: 'image-guard-ledger',
    IMAGE_GUARD_VERIFY_DEADLINE_MS: '45000',
    POWERTOOLS_SERVICE_NAME: 'image-guard',
    POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
  };
  if (withSourceMaps) env.NODE_OPTIONS = '--enable-source-maps';
  else delete env.NODE_OPTIONS;
  return env;
}

/** The module init must succeed (policy loaded): a STOPPED-task event is then ignored, not failed. */
async function checkInit(bundle: string, dir: string, policySha256: string): Promise<void> {
  const event = path.join(ROOT, 'test', 'fixtures', 'events', 'ec2-stopped.json');
  const script = `require(${JSON.stringify(bundle)}).handler(require(${JSON.stringify(event)})).then(() => process.exit(0), (e) => { console.error(e); process.exit(3); })`;
  const run = await timeNode(['-e', script], lambdaEnv(dir, policySha256, true));
  const out = `${run.stdout}\n${run.stderr}`;
  if (run.code !== 0 || !out.includes('EVENT_NOT_APPLICABLE') || out.includes('POLICY_INVALID')) {
    throw new Error(`the bundled handler did not start cleanly (exit ${run.code}): ${out.slice(0, 800)}`);
  }
}

interface ImportTimes {
  bundle: Summary;
  externals: Summary;
  empty: Summary;
  /** Median bundle process minus median empty process. */
  importMs: number;
  /** Median externals-only process minus median empty process. */
  externalsMs: number;
}

/**
 * Fresh processes, interleaved so all three see the same machine load: require(bundle), require of
 * the modules the bundle leaves external (the AWS SDK clients Lambda provides), and an empty script.
 */
async function importTimes(
  bundle: string,
  externals: string[],
  dir: string,
  policySha256: string,
  withSourceMaps: boolean,
  runs: number,
): Promise<ImportTimes> {
  const env = lambdaEnv(dir, policySha256, withSourceMaps);
  const scripts = {
    bundle: `require(${JSON.stringify(bundle)})`,
    externals: externals.map((m) => `require(${JSON.stringify(m)});`).join(''),
    empty: '',
  };
  const samples: Record<keyof typeof scripts, number[]> = { bundle: [], externals: [], empty: [] };
  for (let i = 0; i < runs; i++) {
    for (const name of Object.keys(scripts) as (keyof typeof scripts)[]) {
      const run = await timeNode(['-e', scripts[name]], env);
      if (run.code !== 0) throw new Error(`node -e "${scripts[name]}" failed: ${run.stderr.slice(0, 500)}`);
      samples[name].push(run.ms);
    }
  }
  const [b, x, e] = [summarize(samples.bundle), summarize(samples.externals), summarize(samples.empty)];
  return { bundle: b, externals: x, empty: e, importMs: b.p50 - e.p50, externalsMs: x.p50 - e.p50 };
}

/** Own modules that import `library` directly (who pulls it into the bundle). */
function importersOf(meta: Metafile, library: string): string[] {
  const importers = Object.entries(meta.inputs)
    .filter(
      ([file, input]) =>
        !file.includes('node_modules/') && input.imports.some((i) => ownerOf(i.path) === library),
    )
    .map(([file]) => file);
  return [...new Set(importers)].sort();
}

/** The packages the bundle require()s at run time instead of containing them. */
function externalImports(meta: Metafile, outfile: string): string[] {
  const output = Object.entries(meta.outputs).find(([file]) => path.resolve(ROOT, file) === outfile)?.[1];
  const builtin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name);
  const external = (output?.imports ?? []).filter((i) => i.external && !builtin(i.path)).map((i) => i.path);
  return [...new Set(external)].sort();
}

export async function benchBundle(report: Report, workDir: string): Promise<void> {
  const dir = path.join(workDir, 'lambda-asset');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const result = await build({
    entryPoints: [path.join(ROOT, 'lambda', 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false, // as the construct bundles it
    external: [...LAMBDA_EXTERNAL_MODULES],
    define: { ...LAMBDA_BUNDLE_DEFINE },
    outfile,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const policy = resolvePolicy({}, 'alias/ecs-image-guard');
  writeFileSync(path.join(dir, POLICY_FILE_NAME), policy.json);

  const size = statSync(outfile).size;
  const mapSize = statSync(`${outfile}.map`).size;
  const owners = [...bytesByOwner(result.metafile, outfile).entries()].sort((a, b) => b[1] - a[1]);
  const top = owners
    .slice(0, 8)
    .map(([o, b]) => `${o} ${(b / 1024).toFixed(0)} KiB`)
    .join(', ');
  const undici = owners.find(([o]) => o === 'undici')?.[1] ?? 0;
  report.add(
    SECTION,
    'bundled handler size (index.js, construct settings)',
    size / MB,
    'MB',
    { op: '<=', value: 1.5 },
    `${size.toLocaleString('en-US')} bytes; largest parts: ${top}`,
  );
  report.add(
    SECTION,
    'of which undici',
    undici / MB,
    'MB',
    undefined,
    undici > 0 ? 'bundled: the construct should keep it external (LAMBDA_EXTERNAL_MODULES)' : 'not bundled',
  );
  // The policy is validated at synth: at start the Lambda needs neither of these (see policy/shipped.ts).
  for (const library of ['yaml', 'zod']) {
    const bytes = owners.find(([o]) => o === library)?.[1] ?? 0;
    report.add(
      SECTION,
      `of which ${library}`,
      bytes / MB,
      'MB',
      undefined,
      bytes > 0 ? `bundled; imported by: ${importersOf(result.metafile, library).join(', ')}` : 'not bundled',
    );
  }
  report.add(
    SECTION,
    'source map beside it (index.js.map)',
    mapSize / MB,
    'MB',
    undefined,
    'in the asset too; node reads and parses it at load when NODE_OPTIONS=--enable-source-maps (the construct sets it)',
  );
  report.detail('bundle', { bytes: size, mapBytes: mapSize, byOwner: Object.fromEntries(owners) });

  await checkInit(outfile, dir, policy.sha256);
  const runs = 9;
  const externals = externalImports(result.metafile, outfile);
  const withMaps = await importTimes(outfile, externals, dir, policy.sha256, true, runs);
  const without = await importTimes(outfile, externals, dir, policy.sha256, false, runs);
  for (const [label, t, target] of [
    ['construct env (NODE_OPTIONS=--enable-source-maps)', withMaps, IMPORT_TARGET_WITH_MAPS_MS],
    ['without source maps', without, IMPORT_TARGET_MS],
  ] as const) {
    report.add(
      SECTION,
      `import time, ${label}, median of ${runs}`,
      t.importMs,
      'ms',
      { op: '<=', value: target },
      `require(bundle) process ${t.bundle.p50.toFixed(0)} ms − empty node ${t.empty.p50.toFixed(0)} ms (same env)`,
    );
  }
  report.add(
    SECTION,
    `the ${externals.length} external modules, loaded on first use (not at import), median of ${runs}`,
    without.externalsMs,
    'ms',
    undefined,
    `require(${externals.join(', ')}) − empty node, without source maps; the handler loads each SDK client when it first needs it (ECS/SNS/DynamoDB only to stop or alert, ECR/KMS only for ECR images and KMS keys); Lambda's nodejs24.x runtime provides them`,
  );
  report.detail('bundle.importTime', { externals, withSourceMaps: withMaps, withoutSourceMaps: without });
}
