import { execFile } from 'node:child_process';
import path from 'node:path';
import { COSIGN_REAL_FIXTURES } from '../fixtures';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = COSIGN_REAL_FIXTURES;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI exactly as a user would (`bin/image-guard.js` → dist bundle), in a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/image-guard.js'), ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
