/**
 * Wall time of whole `image-guard verify` processes against the local registry (process start,
 * module load, key load, registry round trips, output, exit), next to an empty `node` process.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from './report';
import { elapsedMs, summarize } from './stats';

const SECTION = 'CLI';
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'image-guard.js');

export interface ProcessRun {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node args…` and times it from spawn to exit. */
export function timeNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ ms: elapsedMs(started), code, stdout, stderr });
    });
  });
}

export interface CliBenchInput {
  report: Report;
  /** Hosts reached over plain HTTP (`--insecure-registry` each): the registry and its token service. */
  insecure: string[];
  /** An image (by tag) signed by the key in `keyPem`. */
  image: string;
  keyPem: string;
  workDir: string;
  runs?: number;
}

export async function benchCli(input: CliBenchInput): Promise<void> {
  const { report } = input;
  const keyFile = path.join(input.workDir, 'cosign.pub');
  writeFileSync(keyFile, input.keyPem);
  const args = [
    CLI,
    'verify',
    input.image,
    '--key',
    keyFile,
    ...input.insecure.flatMap((h) => ['--insecure-registry', h]),
  ];
  const name = 'wall time of one `image-guard verify` process, median';

  const first = await timeNode(args); // also warms the file cache
  const output = `${first.stdout}\n${first.stderr}`;
  if (/no command implemented/i.test(output)) {
    report.pending(SECTION, name, 'ms', 'the CLI prints "no command implemented" for verify');
    return;
  }
  if (first.code !== 0) {
    throw new Error(`image-guard verify exited ${first.code}: ${output.trim().slice(0, 500)}`);
  }
  const runs = input.runs ?? 7;
  const walls: number[] = [];
  const baselines: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await timeNode(args);
    if (run.code !== 0) throw new Error(`image-guard verify exited ${run.code}: ${run.stderr.trim()}`);
    walls.push(run.ms);
    baselines.push((await timeNode(['-e', ''])).ms);
  }
  const s = summarize(walls);
  const b = summarize(baselines);
  report.add(
    SECTION,
    name,
    s.p50,
    'ms',
    undefined,
    `${runs} runs (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)} ms); empty \`node -e ""\` median ${b.p50.toFixed(0)} ms; exit code 0, image by tag (one resolve)`,
  );
  report.detail('cli.verify', {
    wallMs: s,
    emptyNodeMs: b,
    command: ['node', 'bin/image-guard.js', ...args.slice(1)],
  });
}
