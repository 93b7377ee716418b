/**
 * One verification against an amplifying registry, in a fresh process so its peak RSS is that of
 * the verification alone: `node --import tsx bench/amplification-child.ts INPUT.json OUTPUT.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePemKey } from '../lambda/keys/pem-key';
import { parseImageReference } from '../lambda/reference/parse';
import { RegistryClient } from '../lambda/registry/client';
import { ImageVerifier } from '../lambda/verify/image-verifier';
import { startRssSampler } from './rss-sampler';
import { verifyOptions } from './verify-helpers';

export interface AmplificationInput {
  /** `host/repo@sha256:…` behind the amplifying front. */
  pinned: string;
  insecure: string[];
  keyPem: string;
}

export interface AmplificationOutput {
  reason: string;
  verified: boolean;
  error: boolean;
  message: string;
  usage: { requests: number; manifests: number; layers: number; bytes: number } | undefined;
  requests: number;
  durationMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  maxRssMb: number;
  heapPeakMb: number;
}

async function run(input: AmplificationInput): Promise<AmplificationOutput> {
  const key = parsePemKey({ name: 'bench', pem: input.keyPem, source: 'bench key' });
  const registry = new RegistryClient({ insecureRegistries: input.insecure });
  const verifier = new ImageVerifier({ registry });
  const rss = startRssSampler(5);
  const rssBeforeMb = rss.peakMb();
  const started = performance.now();
  const verdict = await verifier.verify(parseImageReference(input.pinned), verifyOptions(key));
  const durationMs = performance.now() - started;
  const output: AmplificationOutput = {
    reason: verdict.reason,
    verified: verdict.verified,
    error: verdict.error,
    message: verdict.message.slice(0, 300),
    usage: verdict.usage,
    requests: registry.stats.total,
    durationMs,
    rssBeforeMb,
    peakRssMb: rss.peakMb(),
    maxRssMb: rss.maxRssMb(),
    heapPeakMb: rss.heapPeakMb(),
  };
  rss.stop();
  return output;
}

const [inputFile, outputFile] = process.argv.slice(2);
if (!inputFile || !outputFile) {
  console.error('usage: amplification-child.ts INPUT.json OUTPUT.json');
  process.exit(2);
}
run(JSON.parse(readFileSync(inputFile, 'utf8')) as AmplificationInput).then(
  (output) => writeFileSync(outputFile, JSON.stringify(output)),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
