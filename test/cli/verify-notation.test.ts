/**
 * `image-guard verify` with Notation signers: --aws-signer-profile, --notation-trust-store and
 * --notation-identity parse and fail as documented, `--help` documents them, the verifier is asked with
 * the Notation verifiers (and the injected revocation checker, only for AWS Signer), and the JSON result
 * has the same shape as for cosign. The built CLI is run for what a user sees first (help, usage errors).
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError, parseCliArgs, type VerifyArgs } from '../../lambda/cli/args';
import { VERIFY_HELP } from '../../lambda/cli/usage';
import { runVerify } from '../../lambda/cli/verify-command';
import { CliInputError } from '../../lambda/cli/io';
import type { Engine } from '../../lambda/guard/engine';
import type { RevocationChecker } from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageVerification, VerifyOptions } from '../../lambda/verify/types';
import { REPO_ROOT, runCli } from '../support/cli/run-cli';

const CERTS = path.join(REPO_ROOT, 'test/fixtures/notation-policy');
const ROOT_PEM = path.join(CERTS, 'root-ca.pem');
const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci_images';
const VERSION = `${PROFILE}/a1b2c3d4e5`;
const IMAGE = `registry.example/app@sha256:${'a'.repeat(64)}`;

const verifyArgs = (...flags: string[]) => parseCliArgs(['verify', IMAGE, ...flags]) as VerifyArgs;

describe('verify flags for Notation signers', () => {
  it('parses repeated --aws-signer-profile, --notation-trust-store and --notation-identity (a bare DN becomes x509.subject)', () => {
    expect(
      verifyArgs(
        '--aws-signer-profile',
        PROFILE,
        '--aws-signer-profile',
        VERSION,
        '--notation-trust-store',
        'ca:root.pem',
        '--notation-trust-store',
        'tsa:tsa.der',
        '--notation-identity',
        'C=US, ST=WA, O=acme',
        '--notation-identity',
        'x509.subject: C=US, ST=OR, O=acme',
      ),
    ).toMatchObject({
      keys: [],
      awsSignerProfiles: [PROFILE, VERSION],
      notationTrustStores: [
        { type: 'ca', file: 'root.pem' },
        { type: 'tsa', file: 'tsa.der' },
      ],
      notationIdentities: ['x509.subject: C=US, ST=WA, O=acme', 'x509.subject: C=US, ST=OR, O=acme'],
    });
  });

  it('takes them beside --key, and "*" only when asked for', () => {
    expect(
      verifyArgs(
        '--key',
        'k.pub',
        '--notation-trust-store',
        'signingAuthority:sa.pem',
        '--notation-identity',
        '*',
      ),
    ).toMatchObject({ keys: ['k.pub'], notationIdentities: ['*'] });
    expect(verifyArgs('--key', 'k.pub')).toMatchObject({
      awsSignerProfiles: [],
      notationTrustStores: [],
      notationIdentities: [],
    });
  });

  it.each([
    [[], /verify needs at least one --key, --aws-signer-profile or --notation-trust-store/],
    [['--notation-trust-store', 'ca:root.pem'], /--notation-trust-store needs --notation-identity SUBJECT/],
    [['--notation-identity', 'C=US, ST=WA, O=acme'], /--notation-identity needs --notation-trust-store/],
    [['--notation-trust-store', 'root.pem', '--notation-identity', '*'], /expects TYPE:FILE/],
    [['--notation-trust-store', 'intermediate:root.pem', '--notation-identity', '*'], /expects TYPE:FILE/],
    [['--notation-trust-store', 'ca:', '--notation-identity', '*'], /expects TYPE:FILE/],
    [
      ['--notation-trust-store', 'tsa:t.pem', '--notation-identity', '*'],
      /needs a ca or signingAuthority store/,
    ],
    [
      ['--notation-trust-store', 'ca:r.pem', '--notation-identity', 'C=US, O=acme'],
      /--notation-identity "x509.subject: C=US, O=acme": .*missing ST/,
    ],
    [
      [
        '--notation-trust-store',
        'ca:r.pem',
        '--notation-identity',
        '*',
        '--notation-identity',
        'C=US, ST=WA, O=a',
      ],
      /"\*" \(any identity\) must be the only entry/,
    ],
    [
      ['--aws-signer-profile', 'arn:aws:signer:us-east-1:111122223333:/signing-jobs/x'],
      /is a signing-job ARN/,
    ],
    [
      ['--aws-signer-profile', 'ci_images'],
      /--aws-signer-profile "ci_images" must be arn:<partition>:signer:/,
    ],
  ])('rejects %j naming the flag', (flags, message) => {
    expect(() => verifyArgs(...(flags as string[]))).toThrow(UsageError);
    expect(() => verifyArgs(...(flags as string[]))).toThrow(message as RegExp);
  });

  it.each(['aws-signer-profile', 'notation-trust-store', 'notation-identity'])(
    '--%s is not an option of check',
    (flag) => {
      expect(() => parseCliArgs(['check', '--policy', 'p', '--event', 'e', `--${flag}`, 'x'])).toThrow(
        /not an option of check \(keys and signers come from the policy\)/,
      );
    },
  );

  it('--help documents each flag with its default, the credentials used and what is not checked', () => {
    const blocks = new Map<string, string>();
    let current = '';
    for (const line of VERIFY_HELP.split('\n')) {
      const m = /^ {2}(--[a-z-]+)/.exec(line);
      if (m) current = m[1]!;
      else if (!/^ {10,}/.test(line)) current = '';
      if (current) blocks.set(current, `${blocks.get(current) ?? ''}${line}\n`);
    }
    for (const flag of ['--aws-signer-profile', '--notation-trust-store', '--notation-identity']) {
      expect(blocks.get(flag)).toMatch(/Default: none/);
      expect(blocks.get(flag)).toMatch(/repeatable/);
    }
    expect(blocks.get('--aws-signer-profile')).toMatch(
      /signer:GetRevocationStatus \(AWS credentials: the default chain\)/,
    );
    expect(blocks.get('--aws-signer-profile')).toMatch(/COULD NOT DECIDE, never a pass/);
    expect(blocks.get('--notation-trust-store')).toMatch(/ca .*signingAuthority .*tsa/s);
    expect(blocks.get('--notation-identity')).toMatch(/'\*'/);
    expect(blocks.get('--notation-identity')).toMatch(/\(OCSP\/CRL\) is not checked/);
  });
});

/** An engine whose verifier records what it is asked and answers with one Notation signature. */
function fakeEngine(calls: VerifyOptions[]): Engine {
  const verifier = {
    verify: async (_ref: unknown, options: VerifyOptions): Promise<ImageVerification> => {
      calls.push(options);
      const signer = options.notation?.[0]?.name ?? options.keys[0]?.name;
      return {
        image: IMAGE,
        digest: `sha256:${'a'.repeat(64)}`,
        digestSource: 'given',
        verified: true,
        reason: ReasonCode.VERIFIED,
        message: 'verified',
        verifiedKeys: signer ? [signer] : [],
        signatures: [
          {
            format: 'notation-jws',
            artifact: `sha256:${'b'.repeat(64)}`,
            ...(signer ? { key: signer } : {}),
            ok: true,
            reason: ReasonCode.VERIFIED,
            message: 'valid',
          },
        ],
        error: false,
        cached: false,
        durationMs: 1,
      };
    },
  };
  return {
    verifier,
    registry: { close: async () => undefined },
    kms: {},
  } as unknown as Engine;
}

function captureIo() {
  const out: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: () => undefined }, out };
}

describe('runVerify with Notation signers', () => {
  const checker: RevocationChecker = {
    check: () => Promise.reject(new Error('unused by the fake verifier')),
  };

  it('asks the verifier with one AWS Signer verifier per profile and the injected revocation checker', async () => {
    const calls: VerifyOptions[] = [];
    let made = 0;
    const { io, out } = captureIo();
    const code = await runVerify(
      verifyArgs('--aws-signer-profile', PROFILE, '--aws-signer-profile', VERSION, '--json'),
      io,
      {
        createEngine: () => fakeEngine(calls),
        revocationChecker: async () => {
          made++;
          return checker;
        },
      },
    );
    expect(code).toBe(0);
    expect(made).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.keys).toEqual([]);
    expect(calls[0]!.notation).toEqual([
      { kind: 'awsSigner', name: PROFILE, signingProfiles: [PROFILE] },
      { kind: 'awsSigner', name: VERSION, signingProfiles: [VERSION] },
    ]);
    expect(calls[0]!.revocation).toBe(checker);
    // The same JSON shape as for cosign: the signer's name in `key`.
    const json = JSON.parse(out.join('')) as { results: Array<Record<string, unknown>> };
    expect(Object.keys(json.results[0]!).sort()).toEqual([
      'digest',
      'image',
      'message',
      'reason',
      'signatures',
      'verified',
    ]);
    expect(json.results[0]!.signatures).toEqual([
      {
        format: 'notation-jws',
        key: PROFILE,
        ok: true,
        reason: 'VERIFIED',
        artifact: `sha256:${'b'.repeat(64)}`,
        message: 'valid',
      },
    ]);
  });

  it('builds one generic verifier from the trust stores (PEM or DER) and identities; no revocation checker is made', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-notation-'));
    fs.copyFileSync(path.join(CERTS, 'root-ca.der'), path.join(dir, 'tsa.der'));
    const calls: VerifyOptions[] = [];
    let made = 0;
    const { io } = captureIo();
    await runVerify(
      verifyArgs(
        '--notation-trust-store',
        `ca:${ROOT_PEM}`,
        '--notation-trust-store',
        `tsa:${path.join(dir, 'tsa.der')}`,
        '--notation-identity',
        'C=US, ST=WA, O=acme',
      ),
      io,
      {
        createEngine: () => fakeEngine(calls),
        revocationChecker: async () => {
          made++;
          return checker;
        },
      },
    );
    expect(made).toBe(0);
    const root = new X509Certificate(fs.readFileSync(ROOT_PEM)).raw;
    expect(calls[0]!.notation).toEqual([
      {
        kind: 'x509',
        name: `ca:${ROOT_PEM} tsa:${path.join(dir, 'tsa.der')}`,
        trustStores: [
          { type: 'ca', name: 'cli-1', certificates: [root] },
          { type: 'tsa', name: 'cli-2', certificates: [root] },
        ],
        trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'],
        verifyTimestamp: 'always',
      },
    ]);
    expect('revocation' in calls[0]!).toBe(false);
  });

  it('a cosign-only command line passes no Notation options at all', async () => {
    const calls: VerifyOptions[] = [];
    const { io } = captureIo();
    await runVerify(
      verifyArgs('--key', path.join(REPO_ROOT, 'test/fixtures/cosign-real/ci-p256-key-no-tlog/pubkey.pem')),
      io,
      {
        createEngine: () => ({ ...fakeEngine(calls), kms: undefined }) as unknown as Engine,
      },
    );
    expect(Object.keys(calls[0]!).sort()).toEqual(['keys', 'signal', 'tlog']);
  });

  it.each([
    [
      'a missing file',
      () => `ca:${path.join(CERTS, 'missing.pem')}`,
      /--notation-trust-store ca:.*missing\.pem: cannot read the file \(ENOENT\)/,
    ],
    [
      'a file that is not certificates',
      () => `ca:${path.join(CERTS, 'README.md')}`,
      /README\.md: the file is neither PEM nor DER certificates/,
    ],
    [
      'a certificate its store type does not allow',
      () => `ca:${path.join(CERTS, 'leaf.pem')}`,
      /leaf\.pem: certificate .* is neither a CA nor self-signed/,
    ],
    [
      'a tsa certificate that is not a root',
      () => `tsa:${path.join(CERTS, 'intermediate-ca.pem')}`,
      /is not a self-signed root CA/,
    ],
  ])('refuses %s before anything is verified', async (_what, store, message) => {
    const calls: VerifyOptions[] = [];
    const { io } = captureIo();
    const run = runVerify(
      verifyArgs(
        '--notation-trust-store',
        `ca:${ROOT_PEM}`,
        '--notation-trust-store',
        store(),
        '--notation-identity',
        '*',
      ),
      io,
      { createEngine: () => fakeEngine(calls) },
    );
    await expect(run).rejects.toThrow(CliInputError);
    await expect(run).rejects.toThrow(message);
    expect(calls).toHaveLength(0);
  });
});

describe('the built CLI', () => {
  it('shows the Notation flags in verify --help', async () => {
    const run = await runCli(['verify', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--aws-signer-profile ARN',
      '--notation-trust-store TYPE:FILE',
      '--notation-identity SUBJECT',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('a trust store without an identity is a usage error naming --notation-identity (exit 2, JSON error)', async () => {
    const run = await runCli(['verify', IMAGE, '--notation-trust-store', `ca:${ROOT_PEM}`, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--notation-trust-store needs --notation-identity SUBJECT');
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'USAGE', message: expect.stringContaining('--notation-identity') },
    });
  });
});
