/**
 * The CDK app run exactly as cdk.json's `app` command, the way the CDK CLI runs it (CDK_OUTDIR and
 * CDK_CONTEXT_JSON in the environment), with no AWS credentials and no account/region.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPolicy } from '../../lambda/policy/default-policy';
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
  it('synthesizes with no context at all: one environment-agnostic stack, nag-clean, policy.json in the asset', () => {
    const { status, stderr, outdir } = runApp({});
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(
      manifest.artifacts as Record<string, { type: string; environment?: string }>,
    ).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([id, a]) => [id, a.environment])).toEqual([
      ['EcsImageGuard', 'aws://unknown-account/unknown-region'],
    ]);
    // A default deployment says so at synth (an info annotation the CDK CLI prints).
    // (Stack metadata lives in <stack>.metadata.json beside the manifest.)
    const metadata = JSON.parse(
      readFileSync(path.join(outdir, 'EcsImageGuard.metadata.json'), 'utf8'),
    ) as Record<string, Array<{ type: string; data: string }>>;
    const info = (metadata['/EcsImageGuard/ImageGuard'] ?? []).filter((m) => m.type === 'aws:cdk:info');
    expect(info.map((m) => m.data).join('\n')).toContain('policy: the DEFAULT policy (no policy file given)');
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    const template = JSON.parse(readFileSync(path.join(outdir, 'EcsImageGuard.template.json'), 'utf8'));
    type Resource = { Type: string; Properties: { Code?: { S3Key?: string } } };
    const fn = Object.values(template.Resources as Record<string, Resource>).find(
      (r) => r.Type === 'AWS::Lambda::Function',
    )!;
    const assetDir = path.join(outdir, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
    expect(readdirSync(assetDir)).toEqual(expect.arrayContaining(['index.js', 'policy.json']));
    expect(JSON.parse(readFileSync(path.join(assetDir, 'policy.json'), 'utf8'))).toEqual(
      defaultPolicy('alias/ecs-image-guard'),
    );
  }, 180_000);

  it('fails with the policy file, field path and reason (no stack trace) when the policy is bad', () => {
    const file = writePolicy(
      'mode: enforce\nkeys: [{ name: ci, kms: alias/ci }]\nrules: [{ name: r, keys: [nope] }]\n',
    );
    const { status, stderr } = runApp({ policyFile: file });
    expect(status).toBe(1);
    expect(stderr).toContain(`${file}: rules[0].keys[0]: unknown key "nope"`);
    expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  }, 180_000);

  it('fails on a context key it does not know (a typo would deploy the default policy), listing the valid keys', () => {
    const { status, stderr } = runApp({ policyfile: 'policy.yaml' });
    expect(status).toBe(1);
    expect(stderr).toContain('unknown context key: "policyfile". Valid keys: policyFile, alertEmails,');
  }, 180_000);

  it('fails on a context value it cannot use, naming the context key', () => {
    const { status, stderr } = runApp({ logRetentionDays: '100' });
    expect(status).toBe(1);
    expect(stderr).toContain('context logRetentionDays: "100" is not a CloudWatch Logs retention');
  }, 180_000);
});
