/**
 * Throughput and memory of the engine in a fresh process (run by child.ts): 500 distinct signed
 * images verified at concurrency 16 with no verdict cache, over one authenticated registry client.
 */
import { createEngine } from '../lambda/guard/engine';
import type { TrustedKey } from '../lambda/keys/types';
import { mapLimit } from '../lambda/verify/map-limit';
import type { GcMeter } from './gc-meter';
import type { Report } from './report';
import type { RssSampler } from './rss-sampler';
import { interleave, type BenchImage } from './signed-images';
import { elapsedMs } from './stats';
import { mustVerify, refOf, verifyOptions } from './verify-helpers';

const SECTION = 'Engine';
const CONCURRENCY = 16;

export interface ThroughputInput {
  insecure: string[];
  legacy: BenchImage[];
  bundle: BenchImage[];
  key: TrustedKey;
  report: Report;
  rss: RssSampler;
  gc: GcMeter;
}

export async function benchThroughput(input: ThroughputInput): Promise<void> {
  const { report, rss, gc } = input;
  const options = verifyOptions(input.key);
  const engine = createEngine({ registry: { insecureRegistries: input.insecure } });
  // One verification per repository: the client holds its tokens before the clock starts.
  for (const image of [input.legacy[0], input.bundle[0]]) {
    if (image) mustVerify(await engine.verifier.verify(refOf(image), options), image);
  }
  engine.registry.resetStats();
  const images = interleave(input.legacy, input.bundle);
  const refs = images.map(refOf);
  rss.beginWindow();
  await gc.settle();
  gc.reset();
  const started = performance.now();
  const verdicts = await mapLimit(refs, CONCURRENCY, (ref) => engine.verifier.verify(ref, options));
  const seconds = elapsedMs(started) / 1000;
  await gc.settle();
  const gcTime = gc.read();
  verdicts.forEach((v, i) => mustVerify(v, images[i] as BenchImage));
  const stats = engine.registry.stats;
  report.add(
    SECTION,
    `verifications/s, ${images.length} distinct images, concurrency ${CONCURRENCY}, uncached`,
    images.length / seconds,
    '/s',
    undefined,
    `${input.legacy.length} legacy + ${input.bundle.length} bundle in ${seconds.toFixed(2)} s; ${(stats.total / seconds).toFixed(0)} registry req/s, ${stats.retries} retries; GC ${gcTime.ms.toFixed(0)} ms; registry and bench share the machine`,
  );
  report.add(
    SECTION,
    'peak RSS of that process (sampled every 20 ms)',
    rss.windowPeakMb(),
    'MB',
    undefined,
    `heapUsed peak ${rss.heapPeakMb().toFixed(0)} MB; a fresh node process that only verifies`,
  );
  report.add(SECTION, 'max RSS of that process (resourceUsage().maxRSS)', rss.maxRssMb(), 'MB');
}
