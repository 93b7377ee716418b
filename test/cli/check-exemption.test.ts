/**
 * `image-guard check` with exemptions, end to end (the built CLI, a real registry): it shows which
 * exemption applied (human and --json), says when one expired and was ignored, and refuses a policy
 * synth would refuse (an until more than 30 days ahead) with a message naming the exemption.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli/run-cli';
import { pushImage, startRegistry, type StartedRegistry } from '../support/registry';
import { sharedTestKey } from '../support/signer';

let registry: StartedRegistry;
let tmp: string;
let unsignedDigest: string;

const DAY = 24 * 3600_000;
const baseEvent = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/events/fargate-running-docs.json'), 'utf8'),
);

function eventFile(digest: string): string {
  const event = structuredClone(baseEvent);
  event.detail.containers = [
    {
      ...event.detail.containers[0],
      name: 'web',
      image: `${registry.host}/team/rogue:6.6`,
      imageDigest: digest,
    },
  ];
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

function policyFile(exemption: { until: string; image?: string; clusters?: string }): string {
  const pem = sharedTestKey('p256')
    .publicKeyPem.trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  const file = path.join(tmp, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `mode: enforce
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
exemptions:
  - image: "${exemption.image ?? `${registry.host}/team/rogue@${unsignedDigest}`}"
    clusters: [${exemption.clusters ?? 'FargateCluster'}]
    until: "${exemption.until}"
    reason: vendor hotfix while signing is down
    ticket: SEC-4471
`,
  );
  return file;
}

const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'image-guard-check-exemption-'));
  registry = await startRegistry();
  unsignedDigest = (await pushImage(registry, 'team/rogue', '6.6')).digest;
}, 60_000);

afterAll(() => registry?.stop());

describe('image-guard check with exemptions', () => {
  it('shows which exemption applied (exit 0: the Lambda would let the task run and alert)', async () => {
    const until = inDays(3);
    const run = await runCli([
      'check',
      '--policy',
      policyFile({ until }),
      '--event',
      eventFile(unsignedDigest),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^WOULD ALERT {2}task .*\(cluster FargateCluster, mode enforce\) \[dry run\]/);
    expect(run.stdout).toContain('  - web: allow EXEMPTED (rule "local")');
    expect(run.stdout).toContain(
      `      exemption: exemptions[0] (ticket SEC-4471) APPLIED (image ${registry.host}/team/rogue@${unsignedDigest}, until ${until}): vendor hotfix while signing is down`,
    );
    expect(run.stdout).toContain('without it: deny NO_SIGNATURES');
  });

  it('puts the exemption in the --json record', async () => {
    const until = inDays(3);
    const run = await runCli([
      'check',
      '--policy',
      policyFile({ until }),
      '--event',
      eventFile(unsignedDigest),
      '--json',
    ]);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record.action).toBe('alerted');
    expect(record.containers[0]).toMatchObject({
      outcome: 'allow',
      reason: 'EXEMPTED',
      exemption: {
        status: 'EXEMPTED',
        index: 0,
        image: `${registry.host}/team/rogue@${unsignedDigest}`,
        service: null,
        clusters: ['FargateCluster'],
        until,
        ticket: 'SEC-4471',
      },
    });
  });

  it('says an expired exemption was ignored, and the task would be stopped (exit 1)', async () => {
    const run = await runCli([
      'check',
      '--policy',
      policyFile({ until: '2020-01-01T00:00:00Z' }),
      '--event',
      eventFile(unsignedDigest),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  - web: deny NO_SIGNATURES (rule "local")');
    expect(run.stdout).toContain(
      '      exemption: exemptions[0] (ticket SEC-4471) EXPIRED at 2020-01-01T00:00:00Z, ignored',
    );
  });

  it('shows no exemption for another cluster (exit 1)', async () => {
    const run = await runCli([
      'check',
      '--policy',
      policyFile({ until: inDays(3), clusters: 'OtherCluster' }),
      '--event',
      eventFile(unsignedDigest),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('exemption:');
  });

  it('refuses an until more than 30 days ahead, as synth does (exit 2, naming the exemption)', async () => {
    const until = inDays(45);
    const policy = policyFile({ until });
    const run = await runCli(['check', '--policy', policy, '--event', eventFile(unsignedDigest)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`exemptions[0].until: ${until} is more than 30 days ahead`);
    expect(run.stderr).toContain('exemptions[0] (ticket SEC-4471)');
    expect(run.stderr).toContain('[POLICY_INVALID]');
  });
});
