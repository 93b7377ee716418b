/**
 * Facts that live in exactly one module. Each module has its own tests; this one fails when a second
 * copy of the fact appears elsewhere in the shipped code (lambda/, lib/, bin/), comments aside.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.ts$/.test(e.name) ? [rel] : [];
  });
}

/** The code of a file without its comments (block comments and `//` to the end of a line). */
function code(file: string): string {
  return fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const FILES = ['lambda', 'lib', 'bin'].flatMap(sourceFiles);
const filesWith = (pattern: RegExp) => FILES.filter((f) => pattern.test(code(f)));

describe('one source for each fact', () => {
  it('the ECR registry host shape: lambda/reference/ecr-host.ts', () => {
    expect(filesWith(/dkr|amazonaws\\\.com|['"`](?:amazonaws\.com|on\.aws)['"`]/)).toEqual([
      'lambda/reference/ecr-host.ts',
    ]);
  });

  it("Docker Hub's names: lambda/reference/docker-hub.ts", () => {
    expect(filesWith(/['"`](?:docker\.io|index\.docker\.io|registry-1\.docker\.io)['"`]/)).toEqual([
      'lambda/reference/docker-hub.ts',
    ]);
  });

  it('canonical JSON: lambda/cosign/tlog/canonical-json.ts', () => {
    expect(filesWith(/function\s+canonical\w*\s*\(|JSON Canonicali[sz]ation/i)).toEqual([
      'lambda/cosign/tlog/canonical-json.ts',
    ]);
  });

  it('which PEM blocks hold a public key: lambda/keys/pem-key.ts', () => {
    // (policy/pem.ts narrows transparency-log keys to "PUBLIC KEY" only: a policy rule, not this fact.)
    expect(filesWith(/['"`](?:EC PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)['"`]/)).toEqual([
      'lambda/keys/pem-key.ts',
    ]);
  });

  it('turning a policy KMS reference into the loader URI: lambda/policy/key-specs.ts', () => {
    expect(filesWith(/kmsRefFromPolicy\(/)).toEqual(['lambda/keys/kms-ref.ts', 'lambda/policy/key-specs.ts']);
  });
});
