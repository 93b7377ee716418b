/**
 * The CDK app run exactly as cdk.json's `app` command, the way the CDK CLI runs it (CDK_OUTDIR and
 * CDK_CONTEXT_JSON in the environment), with no AWS credentials and no account/region.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, writePolicy } from './support';

const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

function runApp(context: Record<string, unknown>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'guard-app-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, ...context }),
  };
  for (const key of Object.keys(env))
    if (key.startsWith('AWS_') || key === 'CDK_DEFAULT_ACCOUNT') delete env[key];
  const result = spawnSync('sh', ['-c', cdkJson.app], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('bin/app.ts via the cdk.json app command', () => {
  it('fails with the policy file, field path and reason (no stack trace) when the policy is bad', () => {
    const file = writePolicy(
      'mode: enforce\nkeys: [{ name: ci, kms: alias/ci }]\nrules: [{ name: r, keys: [nope] }]\n',
    );
    const { status, stderr } = runApp({ policyFile: file });
    expect(status).toBe(1);
    expect(stderr).toContain(`${file}: rules[0].keys[0]: unknown key "nope"`);
    expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  }, 180_000);

  it('fails on a context value it cannot use, naming the context key', () => {
    const { status, stderr } = runApp({ logRetentionDays: '100' });
    expect(status).toBe(1);
    expect(stderr).toContain('context logRetentionDays: "100" is not a CloudWatch Logs retention');
  }, 180_000);
});
