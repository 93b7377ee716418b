import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs once before all suites: checks that the real registry binary exists (`.ci/run` installs it)
 * and builds the CLI bundle that end-to-end tests execute.
 */
export default function globalSetup(): void {
  ensureCommand('docker-registry', 'docker-registry');
  ensureCommand('htpasswd', 'apache2-utils');
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build-cli.mjs')], {
    stdio: 'inherit',
  });
}

function ensureCommand(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  // Installing system packages is .ci/run's job, never the tests': say what is missing and how to get it.
  throw new Error(
    `The integration tests need '${command}' (a real registry runs on loopback). Install it with: ` +
      `sudo apt-get install -y ${debianPackage}`,
  );
}
