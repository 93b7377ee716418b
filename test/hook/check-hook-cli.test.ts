/**
 * `image-guard check --hook-payload FILE --service-revision FILE` end to end: the built CLI, a real
 * registry, a saved lifecycle hook payload and a saved describe-service-revisions output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli/run-cli';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { sharedTestKey } from '../support/signer';
import { pushLegacySignatures, pushTestImage, type PushedImage } from '../guard/support';
import { describedRevision, hookPayload, revisionArn, type RevisionImage } from './support';

let registry: StartedRegistry;
let tmp: string;
let signed: PushedImage;
let unsigned: PushedImage;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'image-guard-check-hook-'));
  registry = await startRegistry();
  signed = await pushTestImage(registry, 'team/web', '1.0');
  await pushLegacySignatures(registry, signed, [sharedTestKey('p256')]);
  unsigned = await pushTestImage(registry, 'team/web', 'unsigned');
});
afterAll(async () => registry?.stop());

function write(name: string, content: unknown): string {
  const file = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function policy(mode: 'enforce' | 'audit', host = registry.host): string {
  const pem = sharedTestKey('p256')
    .publicKeyPem.trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  const file = path.join(tmp, `policy-${Math.random().toString(36).slice(2)}.yaml`);
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
    match: { images: ["${host}/**"] }
    keys: [ci]
registries:
  insecure: ["${host}"]
`,
  );
  return file;
}

/** A saved describe-service-revisions output (dates as the AWS CLI prints them). */
function revisionFile(images: RevisionImage[]): string {
  const out = describedRevision({ service: 'web', images });
  return write('revision', {
    serviceRevisions: out.serviceRevisions!.map((r) => ({
      ...r,
      createdAt: '2026-11-22T09:14:00.000000+00:00',
    })),
    failures: [],
  });
}

async function check(args: {
  mode?: 'enforce' | 'audit';
  payload?: unknown;
  images: RevisionImage[];
  policy?: string;
}) {
  const run = await runCli([
    'check',
    '--policy',
    args.policy ?? policy(args.mode ?? 'enforce'),
    '--hook-payload',
    write('payload', args.payload ?? hookPayload({ service: 'web' })),
    '--service-revision',
    revisionFile(args.images),
    '--json',
    '--timeout',
    '20',
  ]);
  return { ...run, record: run.stdout ? JSON.parse(run.stdout) : undefined };
}

it('a signed revision: SUCCEEDED, exit 0, the hook record marked as a dry run', async () => {
  const run = await check({
    images: [{ containerName: 'app', image: signed.image, imageDigest: signed.digest }],
  });
  expect(run.code).toBe(0);
  expect(run.record).toMatchObject({
    trigger: 'deployment-hook',
    hookStatus: 'SUCCEEDED',
    hookResponse: { hookStatus: 'SUCCEEDED' },
    serviceRevisionArn: revisionArn('web'),
    dryRun: true,
    // No ledger: nothing approved, nothing published.
    approved: null,
    alert: null,
    containers: [
      expect.objectContaining({ outcome: 'allow', digest: signed.digest, digestSource: 'serviceRevision' }),
    ],
  });
  expect(run.record.error).toBeUndefined();
});

it('an unsigned revision: FAILED, exit 1 (enforce); SUCCEEDED, exit 0 (audit)', async () => {
  const images = [{ containerName: 'app', image: unsigned.image, imageDigest: unsigned.digest }];
  const enforce = await check({ images });
  expect(enforce.code).toBe(1);
  expect(enforce.record).toMatchObject({ hookResponse: { hookStatus: 'FAILED' }, action: 'refused' });
  expect(enforce.record.alert).toEqual({ status: 'no-topic' });
  const audit = await check({ mode: 'audit', images });
  expect(audit.code).toBe(0);
  expect(audit.record).toMatchObject({ hookResponse: { hookStatus: 'SUCCEEDED' } });
});

it('a tag-only revision: the tag resolved now is what is verified', async () => {
  const run = await check({ images: [{ containerName: 'app', image: unsigned.image }] });
  expect(run.code).toBe(1);
  expect(run.record.containers[0]).toMatchObject({
    digest: unsigned.digest,
    digestSource: 'resolved',
    outcome: 'deny',
  });
});

it('human output names the answer, the revision and each container', async () => {
  const run = await runCli([
    'check',
    '--policy',
    policy('enforce'),
    '--hook-payload',
    write('payload', hookPayload({ service: 'web' })),
    '--service-revision',
    revisionFile([{ containerName: 'app', image: unsigned.image, imageDigest: unsigned.digest }]),
  ]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `WOULD ANSWER FAILED  revision ${revisionArn('web')} (cluster prod-eu, service web, mode enforce) [dry run]`,
  );
  expect(run.stdout).toContain('  - app: deny NO_SIGNATURES (rule "local")');
});

it('a registry that cannot be reached: COULD NOT DECIDE (the hook would answer IN_PROGRESS), exit 2', async () => {
  const dead = '127.0.0.1:9';
  const run = await check({
    policy: policy('enforce', dead),
    images: [{ containerName: 'app', image: `${dead}/team/web:1.0`, imageDigest: signed.digest }],
  });
  expect(run.code).toBe(2);
  expect(run.record).toMatchObject({
    hookResponse: { hookStatus: 'IN_PROGRESS', callBackDelay: 30 },
    error: { code: 'REGISTRY_UNAVAILABLE' },
  });
});

it('another stage is answered SUCCEEDED, exit 0; an unreadable payload or a revision not in the file, exit 2', async () => {
  const images = [{ containerName: 'app', image: signed.image, imageDigest: signed.digest }];
  const other = await check({ images, payload: hookPayload({ service: 'web', stage: 'POST_SCALE_UP' }) });
  expect(other.code).toBe(0);
  expect(other.record.problem).toMatchObject({ reason: 'EVENT_NOT_APPLICABLE' });

  const invalid = await check({ images, payload: { lifecycleStage: 'PRE_SCALE_UP' } });
  expect(invalid.code).toBe(2);
  expect(invalid.record).toMatchObject({
    hookResponse: { hookStatus: 'FAILED' },
    error: { code: 'EVENT_INVALID' },
  });

  const elsewhere = await check({ images, payload: hookPayload({ service: 'web', revisionId: '42' }) });
  expect(elsewhere.code).toBe(2);
  expect(elsewhere.record.error).toMatchObject({ code: 'REVISION_UNAVAILABLE' });
});

it.each([
  [['--hook-payload', 'p.json'], /--hook-payload needs --service-revision FILE/],
  [['--service-revision', 'r.json'], /--service-revision goes with --hook-payload FILE/],
  [
    ['--event', 'e.json', '--hook-payload', 'p.json', '--service-revision', 'r.json'],
    /either --event or --hook-payload/,
  ],
])('usage errors: %j', async (extra, message) => {
  const run = await runCli(['check', '--policy', 'policy.yaml', ...extra]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
});

it('a --service-revision file that is no describe-service-revisions output: exit 2, named', async () => {
  const run = await runCli([
    'check',
    '--policy',
    policy('enforce'),
    '--hook-payload',
    write('payload', hookPayload({ service: 'web' })),
    '--service-revision',
    write('revision', { revisions: [] }),
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('expected the output of aws ecs describe-service-revisions');
});
