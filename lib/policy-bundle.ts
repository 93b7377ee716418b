import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Name of the compiled policy file beside the bundled handler (the handler reads IMAGE_GUARD_POLICY_FILE). */
export const POLICY_FILE_NAME = 'policy.json';

/**
 * Ships the compiled policy inside the Lambda asset, beside index.js.
 *
 * Why a file in the asset and not an environment variable: Lambda environment variables are limited to
 * 4 KB in total, and a policy with a few inline PEM keys exceeds that. Why `afterBundling`: the file
 * then becomes part of the bundling output, and NodejsFunction hashes its asset by OUTPUT, so a policy
 * change changes the asset hash and redeploys the code; the policy and the code that reads it can
 * never drift apart.
 *
 * The JSON is written at synth to a content-addressed temp file and copied into the output directory
 * by a shell command (local bundling runs hooks with `bash -c`, or `cmd /c` on Windows).
 */
export function policyBundlingHooks(policyJson: string): ICommandHooks {
  const digest = createHash('sha256').update(policyJson).digest('hex').slice(0, 32);
  const dir = path.join(tmpdir(), `ecs-image-guard-policy-${digest}`);
  mkdirSync(dir, { recursive: true });
  const source = path.join(dir, POLICY_FILE_NAME);
  writeFileSync(source, policyJson, { mode: 0o644 });
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      copyCommand(source, path.join(outputDir, POLICY_FILE_NAME)),
    ],
  };
}

function copyCommand(from: string, to: string): string {
  return process.platform === 'win32' ? `copy /Y "${from}" "${to}"` : `cp "${from}" "${to}"`;
}
