import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The README's deploy path starts with this: the real CDK CLI, offline, no context, no AWS settings. */
describe('npx cdk synth', () => {
  it('synthesizes the stack with no context and no AWS environment', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'image-guard-cdk-out-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')),
    );
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        path.join(ROOT, 'node_modules/.bin/cdk'),
        ['synth', '--quiet', '--no-notices', '--output', out],
        { cwd: ROOT, env, timeout: 170_000 },
        (error, _stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? -1) : 0, stderr }),
      );
    });
    expect(result.stderr).not.toMatch(/schema version mismatch/i);
    expect(result.code).toBe(0);
    const template = JSON.parse(readFileSync(path.join(out, 'EcsImageGuard.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: { Runtime?: string } }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x');
    // The verifier and the sweep (on by default in the app, every 15 minutes).
    expect(functions).toHaveLength(2);
    const asset = readdirSync(out).find(
      (f) => f.startsWith('asset.') && readdirSync(path.join(out, f)).includes('policy.json'),
    );
    expect(asset).toBeDefined();
  }, 180_000);
});
