/**
 * The Lambda asset keeps Notation out of index.js: a policy with Notation signers ships the verifier as
 * its own file beside it (built with the handler's settings), the bundled loader requires that file,
 * and a policy without them ships nothing more. The shipped file verifies a real notation vector in a
 * fresh Node process, as the runtime would load it.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import {
  LAMBDA_BUNDLE_DEFINE,
  LAMBDA_EXTERNAL_MODULES,
  NOTATION_ASSET_FILE,
  POLICY_FILE_NAME,
  policyBundlingHooks,
} from '../../lib/policy-bundle';

const ROOT = path.join(__dirname, '..', '..');
const VECTOR = path.join(ROOT, 'test', 'fixtures', 'notation-real', 'jws-ps256-notationgo-alpine-valid');

let out: string;
beforeEach(() => {
  out = mkdtempSync(path.join(tmpdir(), 'image-guard-asset-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

/** Runs the hooks' afterBundling commands as local bundling does (a shell per command). */
function runAfterBundling(notation: boolean): void {
  const hooks = policyBundlingHooks('{"version":1}', { notation });
  for (const command of hooks.afterBundling(ROOT, out)) execSync(command, { shell: '/bin/bash' });
}

/** A child Node process that verifies the real vector through `loaderExpression` and prints the result. */
function verifyInChild(loaderExpression: string): { ok: boolean; reason: string } {
  const vector = JSON.parse(readFileSync(path.join(VECTOR, 'vector.json'), 'utf8')) as {
    targetDescriptor: unknown;
    verificationTime: string;
  };
  const script = `
    const { X509Certificate } = require('node:crypto');
    const fs = require('node:fs');
    const verify = ${loaderExpression};
    const anchor = new X509Certificate(fs.readFileSync(${JSON.stringify(path.join(VECTOR, 'trust-anchor.pem'))})).raw;
    verify({
      envelope: fs.readFileSync(${JSON.stringify(path.join(VECTOR, 'envelope.jws'))}),
      envelopeMediaType: 'application/jose+json',
      target: ${JSON.stringify(vector.targetDescriptor)},
      verifiers: [{ kind: 'x509', name: 'alpine', trustStores: [{ type: 'ca', name: 'test', certificates: [anchor] }],
                    trustedIdentities: ['*'], verifyTimestamp: 'always' }],
      now: new Date(${JSON.stringify(vector.verificationTime)}),
    }).then((r) => process.stdout.write(JSON.stringify({ ok: r.ok, reason: r.reason })));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: out, encoding: 'utf8' })) as {
    ok: boolean;
    reason: string;
  };
}

describe('the Notation verifier in the Lambda asset', () => {
  it('is shipped beside index.js only for a policy with Notation signers', () => {
    runAfterBundling(false);
    expect(existsSync(path.join(out, POLICY_FILE_NAME))).toBe(true);
    expect(existsSync(path.join(out, NOTATION_ASSET_FILE))).toBe(false);
    runAfterBundling(true);
    expect(existsSync(path.join(out, NOTATION_ASSET_FILE))).toBe(true);
    expect(existsSync(path.join(out, `${NOTATION_ASSET_FILE}.map`))).toBe(true);
  });

  it('the shipped file verifies a real notation signature in a fresh process', () => {
    runAfterBundling(true);
    const file = path.join(out, NOTATION_ASSET_FILE);
    expect(verifyInChild(`require(${JSON.stringify(file)}).verifyNotationEnvelope`)).toEqual({
      ok: true,
      reason: 'VERIFIED',
    });
  });

  it('the bundled loader leaves jose, cbor2 and pkijs out of index.js and requires the file beside it', () => {
    runAfterBundling(true);
    const bundle = path.join(out, 'index.js');
    buildSync({
      entryPoints: [path.join(ROOT, 'lambda', 'verify', 'notation-envelope-loader.ts')],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      external: [...LAMBDA_EXTERNAL_MODULES],
      define: { ...LAMBDA_BUNDLE_DEFINE },
      outfile: bundle,
      logLevel: 'error',
    });
    const code = readFileSync(bundle, 'utf8');
    expect(code.length).toBeLessThan(5_000);
    expect(code).not.toMatch(/pkijs|cbor2|flattenedVerify/);
    expect(code).toContain(NOTATION_ASSET_FILE);
    expect(verifyInChild(`require(${JSON.stringify(bundle)}).loadedNotationEnvelopeVerifier`)).toEqual({
      ok: true,
      reason: 'VERIFIED',
    });
  });
});
