import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import { isNotationSigner } from '../lambda/policy/key-kind';
import type { Policy } from '../lambda/policy/schema';

/** Name of the compiled policy file beside the bundled handler (the handler reads IMAGE_GUARD_POLICY_FILE). */
export const POLICY_FILE_NAME = 'policy.json';

/**
 * Left out of the Lambda bundle. nodejs24.x ships the AWS SDK for JavaScript v3 (every client, with
 * its @smithy packages). undici is only loaded for a custom registry CA, which the Lambda never
 * configures: leaving it out halves the bundle (the registry client says so clearly if it were needed).
 */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*', 'undici'];

/** The Notation verifier's own file beside index.js (lambda/verify/notation-envelope-loader.ts). */
export const NOTATION_ASSET_FILE = 'notation.js';

/**
 * esbuild `define` of every Lambda bundle: the loader then requires NOTATION_ASSET_FILE instead of
 * bundling jose, cbor2 and pkijs into index.js, where they would be parsed at every cold start.
 */
export const LAMBDA_BUNDLE_DEFINE: Readonly<Record<string, string>> = {
  'process.env.IMAGE_GUARD_NOTATION_ASSET': JSON.stringify(NOTATION_ASSET_FILE),
};

const NOTATION_ENTRY = path.join(__dirname, '..', 'lambda', 'notation', 'verify-envelope.ts');

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
export function policyBundlingHooks(policyJson: string, options: { notation?: boolean } = {}): ICommandHooks {
  const files: Array<{ name: string; contents: string | Uint8Array }> = [
    { name: POLICY_FILE_NAME, contents: policyJson },
  ];
  // Only a policy with Notation signers ever loads the Notation verifier: only then is it shipped.
  if (options.notation) files.push(...notationAssetFiles());
  const digest = createHash('sha256');
  for (const f of files) digest.update(f.name).update('\0').update(f.contents).update('\0');
  const dir = path.join(tmpdir(), `ecs-image-guard-policy-${digest.digest('hex').slice(0, 32)}`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, f.name), f.contents, { mode: 0o644 });
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) =>
      files.map((f) => copyCommand(path.join(dir, f.name), path.join(outputDir, f.name))),
  };
}

/**
 * The Notation verifier bundled on its own, with the settings of index.js (CommonJS, node24, minified,
 * a source map without sources), so the asset's hash follows its code like the handler's.
 */
function notationAssetFiles(): Array<{ name: string; contents: Uint8Array }> {
  const outfile = path.join(tmpdir(), 'ecs-image-guard-notation', NOTATION_ASSET_FILE);
  const result = buildSync({
    entryPoints: [NOTATION_ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...LAMBDA_EXTERNAL_MODULES],
    outfile,
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles.map((f) => ({ name: path.basename(f.path), contents: f.contents }));
}

function copyCommand(from: string, to: string): string {
  return process.platform === 'win32' ? `copy /Y "${from}" "${to}"` : `cp "${from}" "${to}"`;
}

/**
 * How every guard function (event, deployment hook, sweep) is bundled: CommonJS for node24, minified,
 * with a source map for stack traces, the AWS SDK left to the runtime, the compiled policy (and, for a
 * policy with Notation signers, the Notation verifier) beside index.js.
 */
export function lambdaBundling(
  resolved: { json: string; policy: Pick<Policy, 'keys'> },
  options: { externalModules?: readonly string[] } = {},
): BundlingOptions {
  return {
    format: OutputFormat.CJS,
    target: 'node24',
    minify: true,
    sourceMap: true,
    // Stack traces need names and lines, not the sources: a smaller map parses faster at cold start.
    sourcesContent: false,
    externalModules: [...(options.externalModules ?? LAMBDA_EXTERNAL_MODULES)],
    define: { ...LAMBDA_BUNDLE_DEFINE },
    commandHooks: policyBundlingHooks(resolved.json, {
      notation: resolved.policy.keys.some(isNotationSigner),
    }),
  };
}
