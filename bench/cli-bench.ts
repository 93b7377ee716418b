/**
 * Wall time of whole `image-guard` processes (`--help`, `--version`, and `verify` against the local
 * registry: process start, module load, key load, registry round trips, output, exit), each as a
 * ratio to an empty `node` process run interleaved with it (same machine load), and the built
 * CLI's size (what `--help` loads, what `verify` loads, all of dist/cli).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from './report';
import { elapsedMs, summarize } from './stats';

const SECTION = 'CLI';
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'image-guard.js');
const DIST = path.join(ROOT, 'dist', 'cli');
const KB = 1024;
/** Targets, as multiples of an empty `node` process in the same run. */
const HELP_TARGET = 2;
const VERIFY_TARGET = 5;

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

/** `runs` rounds of: the command, then an empty node. Medians and their ratio. */
async function interleaved(
  args: string[],
  runs: number,
  ok: (run: ProcessRun) => boolean,
): Promise<{ wall: ReturnType<typeof summarize>; empty: ReturnType<typeof summarize>; ratio: number }> {
  const walls: number[] = [];
  const empties: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await timeNode(args);
    if (!ok(run))
      throw new Error(`node ${args.join(' ')} exited ${run.code}: ${run.stderr.trim().slice(0, 500)}`);
    walls.push(run.ms);
    empties.push((await timeNode(['-e', ''])).ms);
  }
  const wall = summarize(walls);
  const empty = summarize(empties);
  return { wall, empty, ratio: wall.p50 / empty.p50 };
}

/** Sizes of the built CLI: every .mjs file, and the static-import closure of a start file. */
function cliSizes(): { total: number; maps: number; entry: number } {
  let total = 0;
  let maps = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.map')) maps += statSync(file).size;
      else total += statSync(file).size;
    }
  };
  walk(DIST);
  return { total, maps, entry: statSync(path.join(DIST, 'image-guard.mjs')).size };
}

/** `--help` and `--version`: no command runs, so no engine may load. */
export async function benchCliStartup(report: Report, runs = 11): Promise<void> {
  const sizes = cliSizes();
  report.add(
    SECTION,
    'built CLI, all chunks (dist/cli/**/*.mjs)',
    sizes.total / KB,
    'KiB',
    undefined,
    `entry ${(sizes.entry / KB).toFixed(0)} KiB (all that --help loads besides a shared chunk); source maps beside it ${(sizes.maps / KB).toFixed(0)} KiB (read only with --enable-source-maps); undici and the AWS SDK load from node_modules when used`,
  );
  for (const [flag, expected] of [
    ['--help', /image-guard verify/],
    ['--version', /^image-guard \d/],
  ] as const) {
    const t = await interleaved([CLI, flag], runs, (r) => r.code === 0 && expected.test(r.stdout));
    report.add(
      SECTION,
      `\`image-guard ${flag}\` wall time ÷ empty node, median of ${runs}`,
      t.ratio,
      '×',
      { op: '<=', value: HELP_TARGET },
      `${t.wall.p50.toFixed(0)} ms vs empty \`node -e ""\` ${t.empty.p50.toFixed(0)} ms (interleaved)`,
    );
    report.add(SECTION, `\`image-guard ${flag}\` wall time, median of ${runs}`, t.wall.p50, 'ms');
    report.detail(`cli.${flag.slice(2)}`, t);
  }
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
  const t = await interleaved(args, runs, (r) => r.code === 0);
  report.add(
    SECTION,
    `${name} ÷ empty node`,
    t.ratio,
    '×',
    { op: '<=', value: VERIFY_TARGET },
    `${t.wall.p50.toFixed(0)} ms vs empty \`node -e ""\` ${t.empty.p50.toFixed(0)} ms (interleaved, ${runs} runs)`,
  );
  report.add(
    SECTION,
    name,
    t.wall.p50,
    'ms',
    undefined,
    `${runs} runs (min ${t.wall.min.toFixed(0)}, max ${t.wall.max.toFixed(0)} ms); exit code 0, one image by tag (one resolve), a PEM key, loopback registry with token auth`,
  );
  const s = t.wall;
  const b = t.empty;
  report.detail('cli.verify', {
    wallMs: s,
    emptyNodeMs: b,
    command: ['node', 'bin/image-guard.js', ...args.slice(1)],
  });
}
