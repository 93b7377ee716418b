import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs once before all suites: makes sure the real registry binary exists (installing it where
 * we can, as CI does) and builds the CLI bundle that end-to-end tests execute.
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
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    const apt = spawnSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${debianPackage}`], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (apt.status === 0 && spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  }
  throw new Error(
    `The integration tests need '${command}' (a real registry runs on loopback). Install it with: ` +
      `sudo apt-get install -y ${debianPackage}`,
  );
}
