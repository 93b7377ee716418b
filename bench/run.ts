/**
 * `npm run bench`: starts a real registry (distribution 2.8.2 on 127.0.0.1, plain HTTP, Bearer
 * token auth), pushes signed images, and prints engine, CLI and Lambda figures next to their
 * targets. The same figures go to .bench/results.json. A script, not a test: nothing here fails
 * a build on a slow figure; it fails only when something does not work (a signature that does
 * not verify, an unexpected decision), because then the figures would mean nothing.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePemKey } from '../lambda/keys/pem-key';
import { startReferrersFront, startRegistry, type ReferrersFront } from '../test/support/registry';
import { sharedTestKey } from '../test/support/signer';
import { benchBundle } from './bundle-bench';
import { benchCli, benchCliStartup } from './cli-bench';
import { runInChild } from './child-runner';
import type { ChildInput } from './child-protocol';
import { benchAmplification, benchEngine } from './engine-bench';
import { benchNotation } from './notation-bench';
import { Report } from './report';
import { benchSweep } from './sweep-bench';
import { startRssSampler } from './rss-sampler';
import { pushBenchImage, pushBenchImages, type BenchImage } from './signed-images';
import { elapsedMs } from './stats';

const ROOT = path.resolve(__dirname, '..');
const WORK_DIR = path.join(ROOT, '.bench');
const PER_FORMAT = 250;

/** The same image reached through another endpoint (host:port) that proxies the registry. */
function via(image: BenchImage, fromHost: string, toHost: string): BenchImage {
  return {
    ...image,
    image: image.image.replace(fromHost, toHost),
    pinned: image.pinned.replace(fromHost, toHost),
  };
}

/** Set by SIGINT/SIGTERM: failures after it are the interruption's, not the bench's. */
let interrupted = false;

function progress(what: string): void {
  process.stderr.write(`[bench] ${what}…\n`);
}

function newReport(): Report {
  return new Report({
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    registry:
      'docker-registry (CNCF distribution 2.8.2), plain HTTP on 127.0.0.1, Bearer token auth (loopback token service)',
    signingKey: 'ECDSA P-256 (test signer), SHA-256',
    loadAverageAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  });
}

async function main(report: Report): Promise<void> {
  const started = performance.now();
  mkdirSync(WORK_DIR, { recursive: true });
  const rss = startRssSampler();
  const key = sharedTestKey('p256');
  const trustedKey = parsePemKey({ name: 'bench', pem: key.publicKeyPem, source: 'bench key' });

  progress('starting docker-registry with token auth on 127.0.0.1');
  const registry = await startRegistry({ tokenAuth: { expiresInSeconds: 3600 } });
  let front: ReferrersFront | undefined;
  const stopServers = async (): Promise<void> => {
    await front?.stop();
    await registry.stop();
  };
  // Ctrl-C or a kill must not leave a registry behind either.
  const onSignal = (): void => {
    interrupted = true;
    progress('interrupted; stopping the registry');
    void stopServers().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(`pushing ${2 * PER_FORMAT + 26} signed images`);
    const pushStarted = performance.now();
    const legacy = await pushBenchImages(
      registry,
      { repo: 'bench/legacy', prefix: 'l', format: 'legacy', count: PER_FORMAT },
      key,
    );
    const bundle = await pushBenchImages(
      registry,
      { repo: 'bench/bundle', prefix: 'b', format: 'bundle', count: PER_FORMAT },
      key,
    );
    const unsigned = await pushBenchImage(registry, 'bench/unsigned', 'u-0', 'unsigned', key);
    front = await startReferrersFront(registry);
    const apiBundle = await pushBenchImages(
      front,
      { repo: 'bench/api', prefix: 'a', format: 'bundle', count: 25 },
      key,
      { referrersApi: true },
    );
    const apiLegacy = legacy.slice(0, 25).map((i) => via(i, registry.host, (front as ReferrersFront).host));
    report.note(
      'Setup',
      `registry ${registry.host}: pushed ${PER_FORMAT} legacy-signed + ${PER_FORMAT} bundle-signed (referrers tag index) + 1 unsigned image, and 25 bundle-signed through a referrers-API front, in ${(elapsedMs(pushStarted) / 1000).toFixed(1)} s`,
    );

    const tokenService = registry.tokenServer?.host;
    if (!tokenService) throw new Error('the registry was started without its token service');
    const insecure = [registry.host, tokenService];
    progress('engine: uncached, cached, overhead');
    await benchEngine({
      insecure,
      byFormat: { legacy, bundle },
      key: trustedKey,
      report,
      referrersApi: { insecure: [front.host, tokenService], legacy: apiLegacy, bundle: apiBundle },
    });
    progress('engine: Notation beside cosign');
    await benchNotation({ registry, insecure, cosignKey: key, trustedKey, report });
    progress('engine: a hostile registry (fresh process)');
    await benchAmplification({
      registry,
      tokenService,
      keyPem: key.publicKeyPem,
      report,
      workDir: WORK_DIR,
    });
    progress('CLI processes');
    await benchCli({
      report,
      insecure,
      image: (legacy[0] as BenchImage).image,
      keyPem: key.publicKeyPem,
      workDir: WORK_DIR,
    });
    await benchCliStartup(report);

    const childInput: ChildInput = {
      host: registry.host,
      insecure,
      keyPem: key.publicKeyPem,
      spkiDerBase64: key.spkiDer.toString('base64'),
      legacy,
      bundle,
      unsigned,
    };
    progress('sweep: 1,000 running tasks, 50 images');
    await benchSweep({ images: legacy, insecure, keyPem: key.publicKeyPem, report });
    progress('engine throughput (fresh process)');
    await runInChild('throughput', childInput, report, WORK_DIR);
    progress('Lambda deployments (fresh process)');
    await runInChild('lambda', childInput, report, WORK_DIR);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopServers();
  }
  progress('Lambda bundle: esbuild and import time');
  await benchBundle(report, WORK_DIR);

  report.add(
    'Bench process',
    'peak RSS (sampled every 20 ms)',
    rss.peakMb(),
    'MB',
    undefined,
    `heapUsed peak ${rss.heapPeakMb().toFixed(0)} MB; the harness: push client, token service, referrers front, every engine phase above`,
  );
  report.add('Bench process', 'max RSS (process.resourceUsage().maxRSS)', rss.maxRssMb(), 'MB');
  rss.stop();
  const seconds = elapsedMs(started) / 1000;
  report.context.loadAverageAtEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  report.context.durationSeconds = Number(seconds.toFixed(1));

  const resultsFile = path.join(WORK_DIR, 'results.json');
  report.save(resultsFile);
  const header = [
    'ecs-image-guard benchmark',
    ...Object.entries(report.context).map(([k, v]) => `  ${k}: ${String(v)}`),
  ].join('\n');
  console.log(
    `${header}\n${report.render()}\n\nWrote ${path.relative(process.cwd(), resultsFile)} (${seconds.toFixed(1)} s)`,
  );
}

const report = newReport();
main(report).catch((e: unknown) => {
  if (interrupted) return; // requests cut off by the stop; the signal handler exits
  console.log(`ecs-image-guard benchmark FAILED; figures measured before the failure:\n${report.render()}\n`);
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
