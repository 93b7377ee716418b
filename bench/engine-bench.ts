/**
 * Engine figures against the local registry: uncached and cached verification latency, registry
 * requests per verification, and in-process overhead beyond network time (throughput and memory
 * are measured in a fresh process: throughput-bench.ts); and one verification against an
 * amplifying registry, in a fresh process (amplification-child.ts).
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VerdictCache } from '../lambda/cache/verdict-cache';
import { createEngine, type Engine } from '../lambda/guard/engine';
import type { TrustedKey } from '../lambda/keys/types';
import type { ImageReference } from '../lambda/reference/types';
import type { RegistryStats } from '../lambda/registry/stats';
import { ImageVerifier } from '../lambda/verify/image-verifier';
import { mapLimit } from '../lambda/verify/map-limit';
import type { VerifyOptions } from '../lambda/verify/types';
import { DEFAULT_VERIFY_LIMITS } from '../lambda/verify/limits';
import {
  pushImage,
  startAmplifyingFront,
  type AmplifyingFrontOptions,
  type RegistryEndpoint,
} from '../test/support/registry';
import type { AmplificationInput, AmplificationOutput } from './amplification-child';
import type { Report } from './report';
import type { BenchImage } from './signed-images';
import { elapsedMs, summarize } from './stats';
import { createTimedFetch } from './timed-fetch';
import { mustVerify, refOf, verifyOptions } from './verify-helpers';

const SECTION = 'Engine';
/** Unrecorded verifications per format before sampling, so samples see a JIT-warm process. */
const WARMUP = 20;
const KINDS = ['manifest', 'blob', 'referrers', 'token'] as const;

export interface EngineBenchInput {
  /** Hosts reached over plain HTTP: the registry and its token service. */
  insecure: string[];
  byFormat: { legacy: BenchImage[]; bundle: BenchImage[] };
  key: TrustedKey;
  report: Report;
  /** The same registry behind a front that serves the OCI referrers API (request counts only). */
  referrersApi?: { insecure: string[]; legacy: BenchImage[]; bundle: BenchImage[] };
}

type Format = 'legacy' | 'bundle';
const FORMATS: readonly Format[] = ['legacy', 'bundle'];

function statsDelta(after: RegistryStats, before: RegistryStats): RegistryStats {
  const delta = { ...after };
  for (const k of Object.keys(delta) as (keyof RegistryStats)[]) delta[k] = after[k] - before[k];
  return delta;
}

/** Verifies a few images so the registry client holds its token and the code is warm. */
async function warmUp(engine: Engine, images: readonly BenchImage[], options: VerifyOptions): Promise<void> {
  for (const image of images.slice(0, WARMUP))
    mustVerify(await engine.verifier.verify(refOf(image), options), image);
}

interface UncachedRun {
  latencies: number[];
  deltas: RegistryStats[];
}

/** One fresh, cache-less verifier per sample over a registry client that is already authenticated. */
async function uncachedRun(
  engine: Engine,
  images: readonly BenchImage[],
  options: VerifyOptions,
): Promise<UncachedRun> {
  const run: UncachedRun = { latencies: [], deltas: [] };
  for (const image of images) {
    const ref = refOf(image);
    const verifier = new ImageVerifier({ registry: engine.registry });
    const before = { ...engine.registry.stats };
    const started = performance.now();
    const verdict = await verifier.verify(ref, options);
    run.latencies.push(elapsedMs(started));
    run.deltas.push(statsDelta(engine.registry.stats, before));
    mustVerify(verdict, image);
  }
  return run;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function reportRequests(report: Report, label: string, format: Format, deltas: RegistryStats[]): void {
  const target = { op: '<=' as const, value: format === 'legacy' ? 4 : 5 };
  const totals = deltas.map((d) => d.total);
  const kinds = KINDS.map((k) => `${k} ${mean(deltas.map((d) => d[k])).toFixed(2)}`).join(', ');
  const max = Math.max(...totals);
  report.add(
    SECTION,
    `registry requests / uncached verification, ${format} (${label}), max`,
    max,
    'req',
    target,
    `mean ${mean(totals).toFixed(2)} over ${deltas.length} verifications; by kind (mean): ${kinds}`,
  );
  report.detail(`engine.requests.${label}.${format}`, {
    samples: deltas.length,
    mean: mean(totals),
    max,
    byKind: Object.fromEntries(KINDS.map((k) => [k, mean(deltas.map((d) => d[k]))])),
    retries: deltas.reduce((a, d) => a + d.retries, 0),
  });
}

async function benchUncached(input: EngineBenchInput, options: VerifyOptions): Promise<void> {
  const { report } = input;
  const engine = createEngine({ registry: { insecureRegistries: input.insecure } });
  for (const format of FORMATS) await warmUp(engine, input.byFormat[format], options);
  for (const format of FORMATS) {
    const run = await uncachedRun(engine, input.byFormat[format], options);
    const s = summarize(run.latencies);
    report.add(SECTION, `uncached verification latency, ${format}, p50`, s.p50, 'ms');
    report.add(
      SECTION,
      `uncached verification latency, ${format}, p99`,
      s.p99,
      'ms',
      undefined,
      `n=${s.n}, mean ${s.mean.toFixed(2)} ms, max ${s.max.toFixed(2)} ms`,
    );
    report.detail(`engine.uncached.${format}`, s);
    reportRequests(report, 'tag fallback', format, run.deltas);
  }
}

async function benchReferrersApi(input: EngineBenchInput, options: VerifyOptions): Promise<void> {
  const api = input.referrersApi;
  if (!api) return;
  const engine = createEngine({ registry: { insecureRegistries: api.insecure } });
  for (const format of FORMATS) {
    await warmUp(engine, api[format].slice(0, 3), options);
    const run = await uncachedRun(engine, api[format], options);
    reportRequests(input.report, 'referrers API', format, run.deltas);
  }
}

async function benchCached(input: EngineBenchInput, options: VerifyOptions): Promise<void> {
  const { report } = input;
  const engine = createEngine({
    registry: { insecureRegistries: input.insecure },
    cache: new VerdictCache(),
  });
  const all = [...input.byFormat.legacy, ...input.byFormat.bundle];
  await mapLimit(all, 8, async (image) =>
    mustVerify(await engine.verifier.verify(refOf(image), options), image),
  );
  engine.registry.resetStats();

  const allLatencies: number[] = [];
  for (const format of FORMATS) {
    const images = input.byFormat[format];
    const refs = images.map(refOf);
    const latencies: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < refs.length; i++) {
        const started = performance.now();
        const verdict = await engine.verifier.verify(refs[i] as ImageReference, options);
        const took = elapsedMs(started);
        if (round > 0) latencies.push(took); // round 0 warms this exact call path
        if (!verdict.cached) throw new Error(`expected a cached verdict for ${images[i]?.pinned}`);
      }
    }
    allLatencies.push(...latencies);
    const s = summarize(latencies);
    report.add(SECTION, `cached verification latency, ${format}, p50`, s.p50, 'ms', { op: '<', value: 0.05 });
    report.add(SECTION, `cached verification latency, ${format}, p99`, s.p99, 'ms', undefined, `n=${s.n}`);
    report.detail(`engine.cached.${format}`, s);
  }

  // Mean per call over a long loop (timer resolution matters less than for single calls).
  const refs = all.map(refOf);
  const loops = 20_000;
  const started = performance.now();
  for (let i = 0; i < loops; i++)
    await engine.verifier.verify(refs[i % refs.length] as ImageReference, options);
  const perCall = elapsedMs(started) / loops;
  report.add(
    SECTION,
    `cached verdict latency, mean of ${loops.toLocaleString('en-US')} calls`,
    perCall,
    'ms',
    { op: '<', value: 0.05 },
  );
  report.add(
    SECTION,
    'registry requests for cached verdicts',
    engine.registry.stats.total,
    'req',
    { op: '<=', value: 0 },
    `${allLatencies.length + loops} cached verifications`,
  );
}

async function benchOverhead(input: EngineBenchInput, options: VerifyOptions): Promise<void> {
  const { report } = input;
  const timed = createTimedFetch();
  const engine = createEngine({ registry: { insecureRegistries: input.insecure, fetch: timed.fetch } });
  for (const format of FORMATS) await warmUp(engine, input.byFormat[format], options);
  for (const format of FORMATS) {
    const overheads: number[] = [];
    const network: number[] = [];
    for (const image of input.byFormat[format]) {
      const ref = refOf(image);
      const verifier = new ImageVerifier({ registry: engine.registry });
      timed.reset();
      const started = performance.now();
      const verdict = await verifier.verify(ref, options);
      const wall = elapsedMs(started);
      const inFetch = timed.busyMs();
      mustVerify(verdict, image);
      overheads.push(wall - inFetch);
      network.push(inFetch);
    }
    const s = summarize(overheads);
    const n = summarize(network);
    report.add(
      SECTION,
      `in-process overhead beyond network, ${format}, p50`,
      s.p50,
      'ms',
      { op: '<', value: 2 },
      `network (in fetch) p50 ${n.p50.toFixed(2)} ms; overhead p99 ${s.p99.toFixed(2)} ms, mean ${s.mean.toFixed(2)} ms (n=${s.n})`,
    );
    report.detail(`engine.overhead.${format}`, { overhead: s, inFetch: n });
  }
}

export async function benchEngine(input: EngineBenchInput): Promise<void> {
  const options = verifyOptions(input.key);
  await benchUncached(input, options);
  await benchReferrersApi(input, options);
  await benchCached(input, options);
  await benchOverhead(input, options);
}

export interface AmplificationBenchInput {
  registry: RegistryEndpoint;
  /** The registry's token service (reached over plain HTTP). */
  tokenService: string;
  keyPem: string;
  report: Report;
  workDir: string;
}

const AMPLIFICATION = 'Hostile registry (one verification, fresh process)';
const MiB = 1024 * 1024;

/** The case, and the worst a registry can offer under the per-payload cap. */
const AMPLIFICATION_CASES: Array<{ label: string; front: Required<AmplificationFrontCase> }> = [
  {
    label: 'one manifest listed 50×, 100 × 1 MiB payloads',
    front: { manifests: 1, copies: 50, layersPerManifest: 100, layerBytes: MiB },
  },
  {
    label: '50 manifests, 100 × 256 KiB payloads each',
    front: { manifests: 50, copies: 1, layersPerManifest: 100, layerBytes: 256 * 1024 },
  },
];
type AmplificationFrontCase = Pick<
  AmplifyingFrontOptions,
  'manifests' | 'copies' | 'layersPerManifest' | 'layerBytes'
>;

function runAmplificationChild(input: AmplificationInput, workDir: string): Promise<AmplificationOutput> {
  const inputFile = path.join(workDir, 'amplification-input.json');
  const outputFile = path.join(workDir, 'amplification-output.json');
  writeFileSync(inputFile, JSON.stringify(input));
  rmSync(outputFile, { force: true });
  const args = ['--import', 'tsx', path.join(__dirname, 'amplification-child.ts'), inputFile, outputFile];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: path.resolve(__dirname, '..'), timeout: 120_000 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`amplification child failed: ${stderr.trim() || error.message}`));
        else resolve(JSON.parse(readFileSync(outputFile, 'utf8')) as AmplificationOutput);
      },
    );
  });
}

/**
 * One unsigned image behind a front that lists artifacts without end (test/support/registry's
 * amplifying front, the real registry behind it). The verification must end as LIMIT_EXCEEDED
 * within its budget; the figures are its peak RSS and what it cost the registry.
 */
export async function benchAmplification(input: AmplificationBenchInput): Promise<void> {
  const limits = DEFAULT_VERIFY_LIMITS;
  for (const [i, c] of AMPLIFICATION_CASES.entries()) {
    const front = await startAmplifyingFront(input.registry, c.front);
    try {
      const repo = 'bench/hostile';
      const image = await pushImage(input.registry, repo, `h-${i}`);
      front.amplify(repo, image);
      const out = await runAmplificationChild(
        {
          pinned: `${front.host}/${repo}@${image.digest}`,
          insecure: [front.host, input.tokenService],
          keyPem: input.keyPem,
        },
        input.workDir,
      );
      if (out.reason !== 'LIMIT_EXCEEDED' || out.verified || out.error) {
        throw new Error(`amplification "${c.label}" ended as ${out.reason}: ${out.message}`);
      }
      const offeredPayloads = c.front.manifests * c.front.layersPerManifest;
      const offeredRequests =
        2 +
        c.front.manifests * c.front.copies +
        c.front.manifests * c.front.copies * c.front.layersPerManifest;
      const offeredBytes =
        c.front.manifests * c.front.copies * c.front.layersPerManifest * c.front.layerBytes;
      const { report } = input;
      report.add(
        AMPLIFICATION,
        `${c.label}: peak RSS`,
        out.peakRssMb,
        'MB',
        { op: '<=', value: 512 },
        `before the verification ${out.rssBeforeMb.toFixed(0)} MB; maxRSS ${out.maxRssMb.toFixed(0)} MB; heapUsed peak ${out.heapPeakMb.toFixed(0)} MB; ${out.durationMs.toFixed(0)} ms; target = the construct's default memorySize`,
      );
      report.add(
        AMPLIFICATION,
        `${c.label}: registry requests`,
        out.requests,
        'req',
        { op: '<=', value: limits.maxRequests },
        `the front served ${front.requests.length}; without a budget or de-duplication ~${offeredRequests.toLocaleString('en-US')} (${offeredPayloads.toLocaleString('en-US')} payload reads)`,
      );
      report.add(
        AMPLIFICATION,
        `${c.label}: bytes read`,
        (out.usage?.bytes ?? 0) / MiB,
        'MiB',
        { op: '<=', value: limits.maxBytes / MiB },
        `the front served ${(front.served.bytes / MiB).toFixed(2)} MiB; on offer ${(offeredBytes / MiB).toLocaleString('en-US')} MiB; usage ${JSON.stringify(out.usage)}`,
      );
      report.detail(`amplification.${i}`, { case: c, output: out, served: front.served });
    } finally {
      await front.stop();
    }
  }
}
