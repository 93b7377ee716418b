/** `image-guard check` end to end: a saved ECS event and a policy file, a real registry, the built CLI. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli/run-cli';
import { pushBlob, pushImage, pushManifest, startRegistry, type StartedRegistry } from '../support/registry';
import { makeLegacySignature, makeSigManifest, sharedTestKey } from '../support/signer';

let registry: StartedRegistry;
let tmp: string;
let signedDigest: string;
let unsignedDigest: string;

const baseEvent = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/events/fargate-running-docs.json'), 'utf8'),
);

function eventFor(
  containers: Array<{ name: string; image: string; imageDigest?: string }>,
  overrides: object = {},
): string {
  const event = structuredClone(baseEvent);
  event.detail.containers = containers.map((c) => ({
    ...event.detail.containers[0],
    ...c,
    imageDigest: c.imageDigest,
  }));
  Object.assign(event.detail, overrides);
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

function policyFile(mode: 'enforce' | 'audit', extra = ''): string {
  const file = path.join(tmp, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  const pem = sharedTestKey('p256')
    .publicKeyPem.trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  writeFileSync(
    file,
    `mode: ${mode}
noMatch: deny
onError: alert
keys:
  - name: ci
    publicKey: |
${pem}
rules:
  - name: local
    match:
      images: ["${registry.host}/**"]
    keys: [ci]
registries:
  insecure: ["${registry.host}"]
${extra}`,
  );
  return file;
}

async function check(policy: string, event: string) {
  const run = await runCli(['check', '--policy', policy, '--event', event, '--json', '--timeout', '20']);
  return { ...run, record: run.stdout ? JSON.parse(run.stdout) : undefined };
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'image-guard-check-'));
  registry = await startRegistry();
  const key = sharedTestKey('p256');
  const signed = await pushImage(registry, 'team/web', '1.0');
  signedDigest = signed.digest;
  const sig = makeSigManifest([
    makeLegacySignature({ imageDigest: signed.digest, dockerReference: 'x', key }),
  ]);
  for (const blob of sig.blobs.values()) await pushBlob(registry, 'team/web', blob);
  await pushManifest(
    registry,
    'team/web',
    `${signed.digest.replace(':', '-')}.sig`,
    sig.manifest,
    sig.mediaType,
  );
  unsignedDigest = (await pushImage(registry, 'team/rogue', '6.6')).digest;
}, 60_000);

afterAll(() => registry?.stop());

describe('image-guard check', () => {
  it('signed → exit 0 and the decision record the Lambda would write', async () => {
    const run = await check(
      policyFile('enforce'),
      eventFor([{ name: 'web', image: `${registry.host}/team/web:1.0`, imageDigest: signedDigest }]),
    );
    expect(run.code).toBe(0);
    expect(run.record).toMatchObject({
      type: 'image-guard.decision',
      action: 'none',
      mode: 'enforce',
      cluster: 'FargateCluster',
      containers: [
        {
          name: 'web',
          outcome: 'allow',
          reason: 'VERIFIED',
          digest: signedDigest,
          digestSource: 'event',
          rule: 'local',
        },
      ],
    });
    expect(run.record.policySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('one unsigned container in enforce mode → exit 1, named in the record', async () => {
    const run = await check(
      policyFile('enforce'),
      eventFor([
        { name: 'web', image: `${registry.host}/team/web:1.0`, imageDigest: signedDigest },
        // With the digest ECS reports: a digest the guard resolves itself never stops (DIGEST_UNCONFIRMED).
        { name: 'sidecar', image: `${registry.host}/team/rogue:6.6`, imageDigest: unsignedDigest },
      ]),
    );
    expect(run.code).toBe(1);
    expect(run.record.action).toBe('stopped');
    expect(run.record.containers[1]).toMatchObject({
      name: 'sidecar',
      outcome: 'deny',
      reason: 'NO_SIGNATURES',
      digest: unsignedDigest,
      digestSource: 'event',
    });
  });

  it('audit mode → exit 0 (the Lambda would only alert)', async () => {
    const run = await check(
      policyFile('audit'),
      eventFor([{ name: 'x', image: `${registry.host}/team/rogue:6.6` }]),
    );
    expect(run.code).toBe(0);
    expect(run.record).toMatchObject({ action: 'alerted', mode: 'audit' });
  });

  it('an image no rule covers under noMatch deny → exit 1 NO_MATCHING_RULE (top-level enforce)', async () => {
    const run = await check(
      policyFile('enforce'),
      eventFor([{ name: 'x', image: 'docker.io/library/nginx@sha256:' + 'a'.repeat(64) }]),
    );
    expect(run.code).toBe(1);
    expect(run.record.containers[0]).toMatchObject({ outcome: 'deny', reason: 'NO_MATCHING_RULE' });
  });

  it('registry unreachable → exit 2; the record still says what onError would do', async () => {
    const down = path.join(tmp, 'down.yaml');
    writeFileSync(
      down,
      readFileSync(policyFile('enforce'), 'utf8')
        .replace(`images: ["${registry.host}/**"]`, 'images: ["127.0.0.1:1/**"]')
        .replace(`insecure: ["${registry.host}"]`, 'insecure: ["127.0.0.1:1"]'),
    );
    const unreachable = await check(down, eventFor([{ name: 'x', image: '127.0.0.1:1/team/web:1.0' }]));
    expect(unreachable.code).toBe(2);
    expect(unreachable.record).toMatchObject({ action: 'alerted' });
    expect(unreachable.record.containers[0]).toMatchObject({
      outcome: 'error',
      reason: 'REGISTRY_UNAVAILABLE',
    });
  });

  it('an invalid policy → exit 2 naming the field path', async () => {
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'mode: enforce\nrules:\n  - name: r\n    keys: [nobody]\n');
    const run = await runCli([
      'check',
      '--policy',
      bad,
      '--event',
      eventFor([{ name: 'x', image: 'nginx' }]),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rules\[0\]\.keys\[0\]/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an event that is not JSON, or not an ECS event → exit 2; a STOPPED task → exit 0 (ignored)', async () => {
    const notJson = path.join(tmp, 'not.json');
    writeFileSync(notJson, '{ nope');
    const a = await runCli(['check', '--policy', policyFile('enforce'), '--event', notJson]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/not valid JSON/);
    const wrong = path.join(tmp, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }));
    const b = await check(policyFile('enforce'), wrong);
    expect(b.code).toBe(2);
    expect(b.record).toMatchObject({ type: 'image-guard.ignored', reason: 'EVENT_INVALID' });
    const stopped = await check(
      policyFile('enforce'),
      eventFor([{ name: 'x', image: `${registry.host}/team/rogue:6.6` }], {
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
      }),
    );
    expect(stopped.code).toBe(0);
    expect(stopped.record).toMatchObject({ type: 'image-guard.ignored', reason: 'EVENT_NOT_APPLICABLE' });
  });
});

describe('image-guard check: dry run conventions', () => {
  /** The same policy, its key in KMS (as deployed), for --key-file to replace. */
  function kmsPolicyFile(): string {
    const file = path.join(tmp, `kms-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `mode: enforce
noMatch: deny
keys:
  - name: ci
    kms: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
rules:
  - name: local
    match:
      images: ["${registry.host}/**"]
    keys: [ci]
registries:
  insecure: ["${registry.host}"]
`,
    );
    return file;
  }
  const noAws = {
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  it('--key-file NAME=FILE stands in for a KMS key: the policy is tested without AWS', async () => {
    const keyFile = path.join(tmp, 'ci.pub');
    writeFileSync(keyFile, sharedTestKey('p256').publicKeyPem);
    const policy = kmsPolicyFile();
    const event = eventFor([
      { name: 'web', image: `${registry.host}/team/web:1.0`, imageDigest: signedDigest },
    ]);

    const replaced = await runCli(
      [
        'check',
        '--policy',
        policy,
        '--event',
        event,
        '--key-file',
        `ci=${keyFile}`,
        '--json',
        '--timeout',
        '20',
      ],
      noAws,
    );
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({
      type: 'image-guard.decision',
      dryRun: true,
      replacedKeys: ['ci'],
      containers: [{ outcome: 'allow', reason: 'VERIFIED' }],
    });

    // Without it, the KMS key cannot be read here: could not decide, and the record says why.
    const asIs = await runCli(
      ['check', '--policy', policy, '--event', event, '--json', '--timeout', '20'],
      noAws,
    );
    expect(asIs.code).toBe(2);
    const record = JSON.parse(asIs.stdout);
    expect(record).toMatchObject({
      dryRun: true,
      containers: [{ outcome: 'error', reason: 'KEY_UNAVAILABLE' }],
      error: { code: 'KEY_UNAVAILABLE', message: expect.stringMatching(/^container web: /) },
    });
    expect(record).not.toHaveProperty('replacedKeys');
  });

  it('--key-file with a name the policy lacks, or a file that is not a public key → exit 2 naming it', async () => {
    const event = eventFor([
      { name: 'web', image: `${registry.host}/team/web:1.0`, imageDigest: signedDigest },
    ]);
    const keyFile = path.join(tmp, 'ci2.pub');
    writeFileSync(keyFile, sharedTestKey('p256').publicKeyPem);
    const unknown = await runCli([
      'check',
      '--policy',
      kmsPolicyFile(),
      '--event',
      event,
      '--key-file',
      `release=${keyFile}`,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--key-file release=.*: the policy has no key "release" \(its keys: ci\)/);
    const privateKey = path.join(tmp, 'private.pem');
    writeFileSync(privateKey, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const bad = await runCli([
      'check',
      '--policy',
      kmsPolicyFile(),
      '--event',
      event,
      '--key-file',
      `ci=${privateKey}`,
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({
      error: {
        code: 'INPUT_INVALID',
        message: expect.stringMatching(/ci=.*private\.pem: the file is a PRIVATE key/),
      },
    });
  });

  it('human output: a dry run says so; exit 2 is COULD NOT DECIDE with what onError would do', async () => {
    const allowed = await runCli([
      'check',
      '--policy',
      policyFile('enforce'),
      '--event',
      eventFor([{ name: 'web', image: `${registry.host}/team/web:1.0`, imageDigest: signedDigest }]),
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^WOULD ALLOW {2}task .* \[dry run\]$/m);

    const down = path.join(tmp, 'down-human.yaml');
    writeFileSync(
      down,
      readFileSync(policyFile('enforce'), 'utf8')
        .replace(`images: ["${registry.host}/**"]`, 'images: ["127.0.0.1:1/**"]')
        .replace(`insecure: ["${registry.host}"]`, 'insecure: ["127.0.0.1:1"]'),
    );
    const undecided = await runCli([
      'check',
      '--policy',
      down,
      '--event',
      eventFor([{ name: 'x', image: '127.0.0.1:1/team/web:1.0' }]),
      '--timeout',
      '20',
    ]);
    expect(undecided.code).toBe(2);
    expect(undecided.stdout).toMatch(
      /^COULD NOT DECIDE {2}task .* \[dry run\]; under onError the Lambda would alert it$/m,
    );
  });

  it('an ignored event is a dry-run record too', async () => {
    const stopped = await check(
      policyFile('enforce'),
      eventFor([{ name: 'x', image: `${registry.host}/team/rogue:6.6` }], {
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
      }),
    );
    expect(stopped.record).toMatchObject({ type: 'image-guard.ignored', dryRun: true });
    expect(stopped.record).not.toHaveProperty('error');
  });
});
