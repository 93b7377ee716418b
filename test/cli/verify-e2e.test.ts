/**
 * `image-guard verify` end to end: real cosign signatures from test/fixtures/cosign-real and
 * signatures made by the test signer are pushed into a real local registry, then verified by the
 * built CLI in a child process (exit codes, JSON shape, human output).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  pushBlob,
  pushImage,
  pushManifest,
  pushReferrersTagIndex,
  startRegistry,
  type StartedRegistry,
} from '../support/registry';
import { FIXTURES, runCli } from '../support/cli/run-cli';
import {
  makeBundle,
  makeBundleReferrerManifest,
  makeLegacySignature,
  makeSigManifest,
  sharedTestKey,
  type SigLayer,
} from '../support/signer';

const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);
const text = (...parts: string[]) => readFileSync(fixture(...parts), 'utf8');
const digestOf = (folder: string) => text(folder, 'image-digest.txt').trim();
const SIG_ANNOTATION = 'dev.cosignproject.cosign/signature';
const REKOR_ANNOTATION = 'dev.sigstore.cosign/bundle';

let registry: StartedRegistry;
let tls: StartedRegistry;
let tmp: string;

async function pushSigTag(
  endpoint: StartedRegistry,
  repo: string,
  imageDigest: string,
  layers: SigLayer[],
  docker = false,
) {
  const sig = makeSigManifest(layers, { docker });
  for (const blob of sig.blobs.values()) await pushBlob(endpoint, repo, blob);
  await pushManifest(endpoint, repo, `${imageDigest.replace(':', '-')}.sig`, sig.manifest, sig.mediaType);
}

/** A legacy fixture: its payload with one layer per listed signature file (annotation value verbatim). */
async function pushLegacyFixture(
  repo: string,
  folder: string,
  signatureFiles: string[],
  extra: Record<string, string> = {},
) {
  const payload = readFileSync(fixture(folder, 'payload.json'));
  const layers = signatureFiles.map((file) => ({
    payload,
    annotations: { [SIG_ANNOTATION]: text(folder, file).trim(), ...extra },
  }));
  await pushSigTag(registry, repo, digestOf(folder), layers);
  return `${registry.host}/${repo}@${digestOf(folder)}`;
}

async function verify(args: string[], endpoint: StartedRegistry = registry) {
  const run = await runCli([
    'verify',
    ...args,
    '--insecure-registry',
    endpoint.host,
    '--json',
    '--timeout',
    '20',
  ]);
  const json = run.stdout
    ? (JSON.parse(run.stdout) as { results: Array<Record<string, unknown>> })
    : undefined;
  return { ...run, results: json?.results ?? [] };
}

function writeTemp(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'image-guard-cli-'));
  [registry, tls] = await Promise.all([startRegistry(), startRegistry({ tls: true })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), tls?.stop()]);
});

describe('real cosign vectors, pushed and verified end to end', () => {
  it('ci-p256-key-no-tlog: two valid signatures and a foreign one → verified, every signature reported', async () => {
    const image = await pushLegacyFixture('fixtures/p256', 'ci-p256-key-no-tlog', [
      'signature.b64',
      'signature-2.b64',
      'signature-unknown-key.b64',
    ]);
    const run = await verify([image, '--key', fixture('ci-p256-key-no-tlog', 'pubkey.pem')]);
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(1);
    const result = run.results[0]!;
    expect(result).toMatchObject({
      verified: true,
      reason: 'VERIFIED',
      digest: digestOf('ci-p256-key-no-tlog'),
    });
    const signatures = result.signatures as Array<{
      ok: boolean;
      reason: string;
      format: string;
      key: string | null;
    }>;
    expect(signatures.map((s) => s.ok)).toEqual([true, true, false]);
    expect(signatures[2]).toMatchObject({ format: 'legacy', reason: 'SIGNATURE_INVALID', key: null });

    const wrong = await verify([image, '--key', fixture('ci-p256-key-no-tlog', 'wrong-pubkey.pem')]);
    expect(wrong.code).toBe(1);
    expect(wrong.results[0]).toMatchObject({ verified: false, reason: 'SIGNATURE_INVALID' });
  });

  it('ci-p256-key-rekor-set: a real Rekor SET is verified offline, also when the log entry is required', async () => {
    const folder = 'ci-p256-key-rekor-set';
    const image = await pushLegacyFixture('fixtures/rekor', folder, ['signature.b64'], {
      [REKOR_ANNOTATION]: text(folder, 'bundle.json').trim(),
    });
    const key = fixture(folder, 'pubkey.pem');
    expect((await verify([image, '--key', key])).code).toBe(0);
    const required = await verify([
      image,
      '--key',
      key,
      '--tlog',
      'required',
      '--rekor-key',
      fixture(folder, 'rekor.pub'),
    ]);
    expect(required.code).toBe(0);
    expect(required.results[0]).toMatchObject({ verified: true });
  });

  it('negatives/rekor-set-tampered → TLOG_INVALID (and passes only when the log is ignored)', async () => {
    const folder = 'negatives/rekor-set-tampered';
    const image = await pushLegacyFixture('fixtures/rekor-tampered', folder, ['signature.b64'], {
      [REKOR_ANNOTATION]: text(folder, 'bundle.json').trim(),
    });
    const key = fixture(folder, 'pubkey.pem');
    const run = await verify([image, '--key', key]);
    expect(run.code).toBe(1);
    expect(run.results[0]).toMatchObject({ verified: false, reason: 'TLOG_INVALID' });
    expect((await verify([image, '--key', key, '--tlog', 'ignore'])).code).toBe(0);
  });

  it('a signature without a log entry fails when the policy requires one (TLOG_MISSING)', async () => {
    const image = await pushLegacyFixture('fixtures/no-tlog', 'rs-p256-busybox', ['signature.b64']);
    const run = await verify([
      image,
      '--key',
      fixture('rs-p256-busybox', 'pubkey.pem'),
      '--tlog',
      'required',
    ]);
    expect(run.code).toBe(1);
    expect(run.results[0]).toMatchObject({ reason: 'TLOG_MISSING' });
  });

  it.each([
    ['rs-p256-busybox', 'pubkey.pem'],
    ['rs-rsa2048-pkcs1v15-suse-obs', 'pubkey.pem'],
    ['ci-rsa4096-pkcs1v15-x509', 'certificate.pem'],
  ])(
    '%s verifies with %s (RSA PKCS#1 v1.5, X.509 certificate key, base64 with newlines)',
    async (folder, keyFile) => {
      const image = await pushLegacyFixture(`fixtures/${folder}`, folder, ['signature.b64']);
      const run = await verify([image, '--key', fixture(folder, keyFile)]);
      expect(run.code).toBe(0);
      expect(run.results[0]).toMatchObject({ verified: true, reason: 'VERIFIED' });
    },
  );

  it('gcpkms-p256-salrashid: the real two-layer .sig (cloud KMS + keyless with SET) verifies with the KMS key', async () => {
    const folder = 'gcpkms-p256-salrashid';
    const manifest = JSON.parse(text(folder, 'sig-manifest.pretty.json')) as {
      layers: Array<{ annotations: Record<string, string> }>;
    };
    const payload = readFileSync(fixture(folder, 'payload.json'));
    await pushSigTag(
      registry,
      'fixtures/gcpkms',
      digestOf(folder),
      manifest.layers.map((l) => ({ payload, annotations: l.annotations })),
    );
    const run = await verify([
      `${registry.host}/fixtures/gcpkms@${digestOf(folder)}`,
      '--key',
      fixture(folder, 'pubkey.pem'),
    ]);
    expect(run.code).toBe(0);
    const signatures = run.results[0]!.signatures as Array<{ ok: boolean }>;
    expect(signatures.map((s) => s.ok)).toEqual([true, false]);
  });

  it.each([
    ['negatives/tampered-payload', 'SIGNATURE_INVALID'],
    ['negatives/tampered-signature', 'SIGNATURE_INVALID'],
    ['negatives/wrong-key', 'SIGNATURE_INVALID'],
    ['negatives/digest-mismatch', 'DIGEST_MISMATCH'],
  ])('%s is rejected with %s', async (folder, reason) => {
    const image = await pushLegacyFixture(`fixtures/${folder}`, folder, ['signature.b64']);
    const run = await verify([image, '--key', fixture(folder, 'pubkey.pem')]);
    expect(run.code).toBe(1);
    expect(run.results[0]).toMatchObject({ verified: false, reason });
  });

  it('a real cosign v3 bundle (referrers tag fallback) verifies with its signer key; a tampered subject does not', async () => {
    for (const [folder, repo, expected] of [
      ['v3-bundle-dsse-keyless-kubewarden', 'fixtures/v3', 0],
      ['negatives/v3-bundle-tampered-subject', 'fixtures/v3-tampered', 1],
    ] as const) {
      const digest = digestOf(folder);
      const bundle = readFileSync(fixture(folder, 'bundle.json'));
      const referrer = makeBundleReferrerManifest(bundle, {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest,
        size: 1024,
      });
      for (const blob of referrer.blobs.values()) await pushBlob(registry, repo, blob);
      const pushed = await pushManifest(
        registry,
        repo,
        referrer.digest,
        referrer.manifest,
        referrer.mediaType,
      );
      await pushReferrersTagIndex(registry, repo, digest, [
        {
          mediaType: referrer.mediaType,
          digest: pushed.digest,
          size: pushed.size,
          artifactType: referrer.artifactType,
          annotations: referrer.annotations,
        },
      ]);
      const key = fixture('v3-bundle-dsse-keyless-kubewarden', 'certificate.pem');
      const run = await verify([
        `${registry.host}/${repo}@${digest}`,
        '--key',
        key,
        '--rekor-key',
        fixture('v3-bundle-dsse-keyless-kubewarden', 'rekor.pub'),
      ]);
      expect(run.code).toBe(expected);
      const signatures = run.results[0]!.signatures as Array<{ format: string }>;
      expect(signatures[0]).toMatchObject({ format: 'bundle' });
    }
  });
});

describe('signed by our own cosign-compatible signer', () => {
  it('resolves a tag once and verifies the digest; reports an unsigned image as NO_SIGNATURES', async () => {
    const key = sharedTestKey('p256');
    const signed = await pushImage(registry, 'team/app', '1.0');
    const sig = makeLegacySignature({
      imageDigest: signed.digest,
      dockerReference: `${registry.host}/team/app`,
      key,
    });
    await pushSigTag(registry, 'team/app', signed.digest, [sig]);
    const unsigned = await pushImage(registry, 'team/other', 'latest');
    const keyFile = writeTemp('p256.pub', key.publicKeyPem);

    const run = await verify([
      `${registry.host}/team/app:1.0`,
      `${registry.host}/team/other`,
      '--key',
      keyFile,
    ]);
    expect(run.code).toBe(1);
    expect(run.results[0]).toMatchObject({ verified: true, digest: signed.digest });
    expect(run.results[1]).toMatchObject({
      verified: false,
      reason: 'NO_SIGNATURES',
      digest: unsigned.digest,
    });
  });

  it('P-384 signed with SHA-384 needs --hash sha384 with a PEM key (cosign rule); Docker media types work', async () => {
    const key = sharedTestKey('p384');
    const image = await pushImage(registry, 'team/p384', '1', { format: 'docker' });
    const sig = makeLegacySignature({ imageDigest: image.digest, dockerReference: 'x', key, hash: 'sha384' });
    await pushSigTag(registry, 'team/p384', image.digest, [sig], true);
    const keyFile = writeTemp('p384.pub', key.publicKeyPem);
    const ref = `${registry.host}/team/p384@${image.digest}`;
    expect((await verify([ref, '--key', keyFile])).code).toBe(1);
    expect((await verify([ref, '--key', keyFile, '--hash', 'sha384'])).code).toBe(0);
  });

  it('a v3 bundle made by the signer verifies; human output names the result', async () => {
    const key = sharedTestKey('p256');
    const image = await pushImage(registry, 'team/bundled', 'v3');
    const referrer = makeBundleReferrerManifest(makeBundle({ imageDigest: image.digest, key }), {
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.size,
    });
    for (const blob of referrer.blobs.values()) await pushBlob(registry, 'team/bundled', blob);
    const pushed = await pushManifest(
      registry,
      'team/bundled',
      referrer.digest,
      referrer.manifest,
      referrer.mediaType,
    );
    await pushReferrersTagIndex(registry, 'team/bundled', image.digest, [
      {
        mediaType: referrer.mediaType,
        digest: pushed.digest,
        size: pushed.size,
        artifactType: referrer.artifactType,
      },
    ]);
    const keyFile = writeTemp('bundle.pub', key.publicKeyPem);
    const run = await runCli([
      'verify',
      `${registry.host}/team/bundled:v3`,
      '--key',
      keyFile,
      '--insecure-registry',
      registry.host,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`VERIFIED  ${registry.host}/team/bundled:v3@${image.digest}`);
    expect(run.stdout).toMatch(/bundle sha256:[0-9a-f]{64}: valid VERIFIED/);
  });

  it('speaks TLS with --ca-file and refuses the registry without it', async () => {
    const key = sharedTestKey('p256');
    const image = await pushImage(tls, 'team/tls', '1');
    await pushSigTag(tls, 'team/tls', image.digest, [
      makeLegacySignature({ imageDigest: image.digest, dockerReference: 'x', key }),
    ]);
    const keyFile = writeTemp('tls.pub', key.publicKeyPem);
    const caFile = writeTemp('ca.pem', tls.caPem as string);
    const ref = `${tls.host}/team/tls:1`;
    const ok = await runCli(['verify', ref, '--key', keyFile, '--ca-file', caFile]);
    expect(ok.code).toBe(0);
    const refused = await runCli(['verify', ref, '--key', keyFile, '--timeout', '10']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^COULD NOT DECIDE {2}/);
    expect(refused.stdout).toMatch(/fix: .*--ca-file PEM/);
  });
});

describe('could not decide → exit 2, with a clear message', () => {
  it('unreachable registry', async () => {
    const keyFile = writeTemp('any.pub', sharedTestKey('p256').publicKeyPem);
    const run = await runCli([
      'verify',
      '127.0.0.1:1/team/app:1',
      '--key',
      keyFile,
      '--insecure-registry',
      '127.0.0.1:1',
      '--json',
    ]);
    expect(run.code).toBe(2);
    const result = (JSON.parse(run.stdout) as { results: Array<{ reason: string; verified: boolean }> })
      .results[0];
    expect(result).toMatchObject({ verified: false, reason: 'REGISTRY_UNAVAILABLE' });
  });

  it('a key file that does not exist, or is not a public key', async () => {
    const missing = await runCli([
      'verify',
      `${registry.host}/team/app:1.0`,
      '--key',
      path.join(tmp, 'nope.pub'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.pub: cannot read the file \(ENOENT\)/);
    const garbage = writeTemp('garbage.pub', 'not a key');
    const bad = await runCli(['verify', `${registry.host}/team/app:1.0`, '--key', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/garbage\.pub/);
    expect(bad.stderr).toMatch(/KEY_UNAVAILABLE/);
  });

  it('an invalid image reference and bad flags', async () => {
    const keyFile = writeTemp('k.pub', sharedTestKey('p256').publicKeyPem);
    const invalid = await runCli(['verify', 'Not A Reference', '--key', keyFile, '--json']);
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout).results[0]).toMatchObject({ reason: 'INVALID_REFERENCE' });
    const usage = await runCli(['verify', 'nginx']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs at least one --key/);
    // One line pointing at the command's help, not the whole usage.
    expect(usage.stderr).toBe(
      "image-guard: verify needs at least one --key, --aws-signer-profile or --notation-trust-store (see 'image-guard verify --help')\n",
    );
  });
});

describe('CLI conventions', () => {
  it('--help, verify --help, check --help and --version exit 0 on stdout', async () => {
    const version = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version;
    for (const [argv, expected] of [
      [['--help'], /image-guard verify IMAGE/],
      [['verify', '--help'], /--key KEY[\s\S]*--tlog[\s\S]*Default: verify-if-present/],
      [['check', '--help'], /dry run[\s\S]*--key-file NAME=FILE/],
      [['--version'], new RegExp(`^image-guard ${version.replace(/\./g, '\\.')}\n$`)],
    ] as const) {
      const run = await runCli([...argv]);
      expect({ argv, code: run.code, stderr: run.stderr }).toEqual({ argv, code: 0, stderr: '' });
      expect(run.stdout).toMatch(expected);
    }
  });

  it('a usage error is one line naming --help; with --json, one JSON document with an error', async () => {
    const plain = await runCli(['check', '--policy', 'p.yaml']);
    expect(plain).toMatchObject({ code: 2, stdout: '' });
    expect(plain.stderr).toBe("image-guard: check needs --event FILE (see 'image-guard check --help')\n");
    const json = await runCli(['verify', 'nginx', '--key', 'k.pub', '--json', '--tlog', 'maybe']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'USAGE', message: expect.stringMatching(/--tlog must be one of/) },
    });
  });

  it('exit 2 says COULD NOT DECIDE, exit 1 says NOT VERIFIED; --json marks only the undecided result', async () => {
    const keyFile = writeTemp('conv.pub', sharedTestKey('p256').publicKeyPem);
    const unsigned = await pushImage(registry, 'team/conv-unsigned', '1');
    const args = [
      'verify',
      `${registry.host}/team/conv-unsigned:1`,
      '127.0.0.1:1/team/app:1',
      '--key',
      keyFile,
      '--insecure-registry',
      registry.host,
      '--insecure-registry',
      '127.0.0.1:1',
      '--timeout',
      '20',
    ];
    const human = await runCli(args);
    expect(human.code).toBe(1); // a definite "no" outranks "could not decide"
    expect(human.stdout).toMatch(new RegExp(`^NOT VERIFIED {2}${registry.host}/team/conv-unsigned:1@`, 'm'));
    expect(human.stdout).toMatch(/^COULD NOT DECIDE {2}127\.0\.0\.1:1\/team\/app:1$/m);
    const json = await runCli([...args, '--json']);
    const { results } = JSON.parse(json.stdout) as { results: Array<Record<string, unknown>> };
    expect(results[0]).toMatchObject({ reason: 'NO_SIGNATURES', digest: unsigned.digest });
    expect(results[0]).not.toHaveProperty('error');
    expect(results[1]).toMatchObject({
      reason: 'REGISTRY_UNAVAILABLE',
      error: { code: 'REGISTRY_UNAVAILABLE', message: expect.any(String) },
    });
  });

  it('an error before any result (a missing key file) is still exactly one JSON document', async () => {
    const run = await runCli([
      'verify',
      `${registry.host}/team/app:1.0`,
      '--key',
      path.join(tmp, 'absent.pub'),
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'INPUT_INVALID',
        message: expect.stringMatching(/absent\.pub: cannot read the file \(ENOENT\)/),
      },
    });
    expect(run.stderr).toMatch(/^COULD NOT DECIDE {2}image-guard: --key .*absent\.pub/);
  });

  it('references are checked before keys are loaded', async () => {
    const run = await runCli(['verify', 'UPPER/Case:x', '--key', path.join(tmp, 'absent.pub'), '--json']);
    expect(run.code).toBe(2);
    const { results } = JSON.parse(run.stdout) as { results: Array<Record<string, unknown>> };
    expect(results).toEqual([
      expect.objectContaining({
        image: 'UPPER/Case:x',
        reason: 'INVALID_REFERENCE',
        error: expect.anything(),
      }),
    ]);
    expect(run.stdout).not.toMatch(/absent\.pub/);
  });

  it('a plain-HTTP registry without --insecure-registry: the fix names the flag and the host', async () => {
    const keyFile = writeTemp('http.pub', sharedTestKey('p256').publicKeyPem);
    await pushImage(registry, 'team/http', '1');
    const run = await runCli(['verify', `${registry.host}/team/http:1`, '--key', keyFile, '--json']);
    expect(run.code).toBe(2);
    const { results } = JSON.parse(run.stdout) as { results: Array<{ error?: { fix?: string } }> };
    expect(results[0]?.error?.fix).toBe(
      `if ${registry.host} speaks plain HTTP (a local or test registry), pass --insecure-registry ${registry.host}`,
    );
  });

  it('a digest that is not in the repository is "manifest not found", not "no signatures"', async () => {
    const keyFile = writeTemp('nf.pub', sharedTestKey('p256').publicKeyPem);
    const present = await pushImage(registry, 'team/nf', '1');
    const missing = `sha256:${'1'.repeat(64)}`;
    const run = await verify([
      `${registry.host}/team/nf@${missing}`,
      `${registry.host}/team/nf@${present.digest}`,
      '--key',
      keyFile,
    ]);
    expect(run.code).toBe(1);
    expect(run.results[0]).toMatchObject({
      verified: false,
      reason: 'NO_DIGEST',
      message: `manifest not found: ${missing} is not in ${registry.host}/team/nf`,
    });
    // An existing but unsigned digest keeps its answer.
    expect(run.results[1]).toMatchObject({ verified: false, reason: 'NO_SIGNATURES' });
  });

  it('a KMS key without a region: the fix says AWS_REGION', async () => {
    const run = await runCli(
      ['verify', `${registry.host}/team/app:1.0`, '--key', 'awskms:///alias/ci', '--json'],
      {
        AWS_REGION: '',
        AWS_DEFAULT_REGION: '',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: path.join(tmp, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-aws-credentials'),
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
      },
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'KEY_UNAVAILABLE',
        message: expect.stringMatching(/awskms:\/\/\/alias\/ci/),
        fix: 'set AWS_REGION (or give the key as an ARN, which names its region)',
      },
    });
  });
});
