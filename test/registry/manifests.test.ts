import { createHash } from 'node:crypto';
import { ReasonCode } from '../../lambda/reasons';
import {
  pushImage,
  pushIndex,
  startFaultProxy,
  startRegistry,
  TestMediaType,
  type FaultProxy,
  type PushedManifest,
  type StartedRegistry,
} from '../support/registry';
import { clientFor, guardErrorOf, repoOf } from './client-for';

describe('RegistryClient manifests against distribution 2.8.2', () => {
  let registry: StartedRegistry;
  let proxy: FaultProxy;
  let oci: PushedManifest;
  let docker: PushedManifest;
  let ociIndex: PushedManifest;
  let dockerList: PushedManifest;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry);
    oci = await pushImage(registry, 'team/app', 'oci');
    docker = await pushImage(registry, 'team/app', 'docker', { format: 'docker' });
    ociIndex = await pushIndex(registry, 'team/app', 'multi', [oci]);
    dockerList = await pushIndex(registry, 'team/app', 'multi-docker', [docker], 'docker');
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  beforeEach(() => proxy.setPlan([]));

  it.each([
    ['OCI manifest', () => oci, 'oci', TestMediaType.OCI_MANIFEST],
    ['Docker v2 manifest', () => docker, 'docker', TestMediaType.DOCKER_MANIFEST],
    ['OCI index', () => ociIndex, 'multi', TestMediaType.OCI_INDEX],
    ['Docker manifest list', () => dockerList, 'multi-docker', TestMediaType.DOCKER_MANIFEST_LIST],
  ])(
    '%s by tag and by digest: exact bytes, computed digest, media type',
    async (_label, pushed, tag, mediaType) => {
      const client = clientFor(registry);
      const expected = pushed();
      const byTag = await client.getManifest(repoOf(registry, 'team/app'), tag);
      expect(byTag?.digest).toBe(expected.digest);
      expect(byTag?.mediaType).toBe(mediaType);
      expect(byTag?.bytes.equals(expected.bytes)).toBe(true);
      expect(
        `sha256:${createHash('sha256')
          .update(byTag?.bytes ?? '')
          .digest('hex')}`,
      ).toBe(expected.digest);

      const byDigest = await client.getManifest(repoOf(registry, 'team/app'), expected.digest);
      expect(byDigest).toEqual(byTag);
      expect(client.stats).toMatchObject({ total: 2, manifest: 2 });
    },
  );

  it('returns undefined for a missing tag, digest or repository (404)', async () => {
    const client = clientFor(registry);
    expect(await client.getManifest(repoOf(registry, 'team/app'), 'nope')).toBeUndefined();
    expect(
      await client.getManifest(repoOf(registry, 'team/app'), `sha256:${'0'.repeat(64)}`),
    ).toBeUndefined();
    expect(await client.getManifest(repoOf(registry, 'no/such-repo'), 'latest')).toBeUndefined();
    expect(client.stats.retries).toBe(0);
  });

  it('resolveDigest: by GET (hashing) and by HEAD (Docker-Content-Digest)', async () => {
    const client = clientFor(registry);
    expect(await client.resolveDigest(repoOf(registry, 'team/app'), 'oci')).toBe(oci.digest);
    expect(await client.resolveDigest(repoOf(registry, 'team/app'), 'oci', { method: 'HEAD' })).toBe(
      oci.digest,
    );
    expect(
      await client.resolveDigest(repoOf(registry, 'team/app'), 'missing', { method: 'HEAD' }),
    ).toBeUndefined();
    expect(await client.resolveDigest(repoOf(registry, 'team/app'), 'missing')).toBeUndefined();
  });

  it('rejects bytes that do not match the requested digest (CONTENT_MISMATCH)', async () => {
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'tamper-body' } }]);
    const error = await guardErrorOf(clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), oci.digest));
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toContain(`expected ${oci.digest}`);
    expect(proxy.applied()).toEqual([1]); // not retried
  });

  it('by tag: rejects bytes that disagree with the registry’s Docker-Content-Digest', async () => {
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'tamper-body' } }]);
    const error = await guardErrorOf(clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), 'oci'));
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toContain('Docker-Content-Digest');
  });

  it('by tag without Docker-Content-Digest: reports the digest of the bytes received', async () => {
    const replacement = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: TestMediaType.OCI_MANIFEST }),
    );
    proxy.setPlan([
      {
        match: { path: '/manifests/' },
        fault: { type: 'replace-body', body: replacement, headers: { 'docker-content-digest': null } },
      },
    ]);
    const manifest = await clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), 'oci');
    expect(manifest?.digest).toBe(`sha256:${createHash('sha256').update(replacement).digest('hex')}`);
    expect(manifest?.digest).not.toBe(oci.digest);
    expect(manifest?.bytes.equals(replacement)).toBe(true);
  });

  it('rejects a Content-Type that disagrees with the manifest’s own mediaType', async () => {
    proxy.setPlan([
      {
        match: { path: '/manifests/' },
        fault: { type: 'set-headers', headers: { 'content-type': TestMediaType.DOCKER_MANIFEST } },
      },
    ]);
    const error = await guardErrorOf(clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), oci.digest));
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toContain('disagrees');
  });

  it('takes the media type from the document when the Content-Type is generic', async () => {
    proxy.setPlan([
      {
        match: { path: '/manifests/' },
        fault: { type: 'set-headers', headers: { 'content-type': 'application/json' } },
      },
    ]);
    const manifest = await clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), oci.digest);
    expect(manifest?.mediaType).toBe(TestMediaType.OCI_MANIFEST);
  });

  it('refuses a manifest over the cap from its Content-Length, before reading it', async () => {
    const client = clientFor(registry, { maxManifestBytes: oci.size - 1 });
    const error = await guardErrorOf(client.getManifest(repoOf(registry, 'team/app'), oci.digest));
    expect(error.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(error.message).toContain('Content-Length');
  });

  it('stops reading a chunked manifest as soon as it passes the cap', async () => {
    proxy.setPlan([
      {
        match: { path: '/manifests/' },
        fault: { type: 'oversize-body', extraBytes: 1_000_000, declareLength: false },
      },
    ]);
    const error = await guardErrorOf(
      clientFor(proxy, { maxManifestBytes: 64 * 1024 }).getManifest(repoOf(proxy, 'team/app'), 'oci'),
    );
    expect(error.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(error.message).toContain('more than 65536 bytes');
  });

  it('rejects invalid repository names and references before any request', async () => {
    const client = clientFor(registry);
    for (const [repo, reference] of [
      ['Team/App', 'latest'],
      ['team/../app', 'latest'],
      ['team/app', 'bad tag'],
      ['team/app', 'sha256:abc'],
      ['team/app', '../../etc'],
    ] as const) {
      const error = await guardErrorOf(client.getManifest(repoOf(registry, repo), reference));
      expect(error.code).toBe(ReasonCode.INVALID_REFERENCE);
    }
    expect(client.stats.total).toBe(0);
  });

  it('sends the ecs-image-guard User-Agent and the manifest Accept list', async () => {
    await clientFor(proxy).getManifest(repoOf(proxy, 'team/app'), 'oci');
    const seen = proxy.requests.at(-1);
    expect(seen?.headers['user-agent']).toMatch(/^ecs-image-guard\/\d+\.\d+\.\d+/);
    for (const type of [
      TestMediaType.OCI_MANIFEST,
      TestMediaType.OCI_INDEX,
      TestMediaType.DOCKER_MANIFEST,
      TestMediaType.DOCKER_MANIFEST_LIST,
    ]) {
      expect(seen?.headers.accept).toContain(type);
    }
  });
});
