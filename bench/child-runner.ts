/** Runs one measurement in a fresh node process (child.ts) and merges its figures into the report. */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildInput, ChildTask } from './child-protocol';
import type { Report, ReportParts } from './report';

const ROOT = path.resolve(__dirname, '..');

export async function runInChild(
  task: ChildTask,
  input: ChildInput,
  report: Report,
  workDir: string,
): Promise<void> {
  const inputFile = path.join(workDir, `${task}-input.json`);
  const outputFile = path.join(workDir, `${task}-output.json`);
  writeFileSync(inputFile, JSON.stringify(input));
  rmSync(outputFile, { force: true });
  const args = ['--import', 'tsx', path.join(__dirname, 'child.ts'), task, inputFile, outputFile];
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`bench child "${task}" failed: ${stderr.trim() || error.message}`));
        else resolve();
      },
    );
  });
  report.merge(JSON.parse(readFileSync(outputFile, 'utf8')) as ReportParts);
}
