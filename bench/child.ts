/**
 * Entry of a fresh measurement process: `node --import tsx bench/child.ts TASK INPUT.json OUTPUT.json`.
 * A fresh process so that throughput, events/s and memory are those of a process that only does
 * that work (the bench's own process holds the push client, the token service and earlier phases).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePemKey } from '../lambda/keys/pem-key';
import { mockAws } from './aws-mocks';
import type { ChildInput, ChildTask } from './child-protocol';
import { startGcMeter } from './gc-meter';
import { KMS_KEY_ARN, benchLambda } from './lambda-bench';
import { Report } from './report';
import { startRssSampler } from './rss-sampler';
import { interleave } from './signed-images';
import { benchThroughput } from './throughput-bench';

async function run(task: ChildTask, input: ChildInput, report: Report): Promise<void> {
  const rss = startRssSampler();
  const gc = startGcMeter();
  try {
    if (task === 'throughput') {
      const key = parsePemKey({ name: 'bench', pem: input.keyPem, source: 'bench key' });
      await benchThroughput({
        insecure: input.insecure,
        legacy: input.legacy,
        bundle: input.bundle,
        key,
        report,
        rss,
        gc,
      });
      return;
    }
    const aws = mockAws({ keyArn: KMS_KEY_ARN, spkiDer: Buffer.from(input.spkiDerBase64, 'base64') });
    try {
      await benchLambda({
        report,
        host: input.host,
        insecure: input.insecure,
        aws,
        gc,
        signed: interleave(input.legacy, input.bundle),
        unsigned: input.unsigned,
      });
    } finally {
      aws.restore();
    }
    report.add(
      'Lambda (warm process, one event at a time)',
      'peak RSS of that process (sampled every 20 ms)',
      rss.peakMb(),
      'MB',
      { op: '<=', value: 512 },
      `heapUsed peak ${rss.heapPeakMb().toFixed(0)} MB; maxRSS ${rss.maxRssMb().toFixed(0)} MB; target = the construct's default memorySize`,
    );
  } finally {
    gc.stop();
    rss.stop();
  }
}

const [task, inputFile, outputFile] = process.argv.slice(2);
if ((task !== 'throughput' && task !== 'lambda') || !inputFile || !outputFile) {
  console.error('usage: child.ts throughput|lambda INPUT.json OUTPUT.json');
  process.exit(2);
}
const report = new Report({});
run(task, JSON.parse(readFileSync(inputFile, 'utf8')) as ChildInput, report).then(
  () => writeFileSync(outputFile, JSON.stringify(report.parts())),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
