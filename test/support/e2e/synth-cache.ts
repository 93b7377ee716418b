/**
 * One synthesis per source state, shared by every e2e suite and jest worker: the cloud assembly is
 * kept in a temp folder keyed by the hash of everything that shapes it (lib/, lambda/, the
 * dependencies, this harness's synth code, the policy). Each suite's registry listens on its own
 * port, so the policy is synthesized naming a placeholder registry, and each suite gets its own copy
 * of the function's asset with the placeholder in the compiled policy.json replaced by its registry.
 */
import { policySha256 } from '../../../lambda/policy/hash';
import type { Policy } from '../../../lambda/policy/schema';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAssembly, synthesizeGuard, type SynthesizedGuard } from './synth';

/** Stands for the suite's registry in the synthesized policy (a valid host:port that never resolves). */
export const REGISTRY_PLACEHOLDER = 'e2e-registry.invalid:5999';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const SOURCES = ['lib', 'lambda', 'package.json', 'package-lock.json', 'test/support/e2e/synth.ts'];

/** How long a worker waits for another one's synthesis before doing its own (a crashed worker's lock). */
const LOCK_STALE_MS = 5 * 60_000;

/**
 * The assembly for `policyYaml` (written with REGISTRY_PLACEHOLDER), synthesized at most once per
 * source state: the first worker takes a lock and synthesizes, the others wait for its result.
 */
export async function cachedAssembly(policyYaml: string): Promise<SynthesizedGuard> {
  const dir = path.join(tmpdir(), `image-guard-e2e-synth-${sourceHash(policyYaml)}`);
  const ready = () => existsSync(path.join(dir, 'manifest.json'));
  const lock = `${dir}.lock`;
  while (!ready()) {
    try {
      mkdirSync(lock);
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age < LOCK_STALE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    try {
      if (ready()) break;
      return { ...readAssembly(synthesizeInto(dir, policyYaml)), synthMs: lastSynthMs };
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return readAssembly(dir);
}

let lastSynthMs: number | undefined;

/** Synthesizes in a staging folder, then renames it into place (a reader never sees half an assembly). */
function synthesizeInto(dir: string, policyYaml: string): string {
  const staging = mkdtempSync(`${dir}.staging-`);
  const policyFile = path.join(staging, 'policy.yaml');
  writeFileSync(policyFile, policyYaml);
  lastSynthMs = synthesizeGuard({ policyFile }, path.join(staging, 'cdk.out')).synthMs;
  renameSync(path.join(staging, 'cdk.out'), dir);
  rmSync(staging, { recursive: true, force: true });
  return dir;
}

/** A private copy of the function's asset whose compiled policy names `registryHost` instead of the placeholder. */
export function withRegistry(synth: SynthesizedGuard, registryHost: string): SynthesizedGuard {
  const assetDir = mkdtempSync(path.join(tmpdir(), 'image-guard-e2e-task-root-'));
  cpSync(synth.assetDir, assetDir, { recursive: true });
  const policyFile = path.join(assetDir, 'policy.json');
  const compiled = readFileSync(policyFile, 'utf8');
  if (!compiled.includes(REGISTRY_PLACEHOLDER)) {
    throw new Error(`the compiled policy in ${synth.assetDir} does not name ${REGISTRY_PLACEHOLDER}`);
  }
  const edited = compiled.split(REGISTRY_PLACEHOLDER).join(registryHost);
  writeFileSync(policyFile, edited);
  // The template pins the shipped policy's hash; a synth naming this registry would pin the edited one's.
  if (synth.environment.IMAGE_GUARD_POLICY_SHA256 !== policySha256(JSON.parse(compiled) as Policy)) {
    throw new Error('the template does not pin the shipped policy with IMAGE_GUARD_POLICY_SHA256');
  }
  return {
    ...synth,
    assetDir,
    handlerFile: path.join(assetDir, path.basename(synth.handlerFile)),
    environment: {
      ...synth.environment,
      IMAGE_GUARD_POLICY_SHA256: policySha256(JSON.parse(edited) as Policy),
    },
  };
}

function sourceHash(policyYaml: string): string {
  const hash = createHash('sha256').update(policyYaml).update('\0');
  for (const source of SOURCES) hashTree(hash, path.join(REPO_ROOT, source), source);
  return hash.digest('hex').slice(0, 24);
}

function hashTree(hash: ReturnType<typeof createHash>, file: string, name: string): void {
  if (statSync(file).isDirectory()) {
    for (const entry of readdirSync(file).sort()) hashTree(hash, path.join(file, entry), `${name}/${entry}`);
    return;
  }
  hash.update(name).update('\0').update(readFileSync(file)).update('\0');
}
