import { ReasonCode } from '../../lambda/reasons';
import {
  attachWithSigstoreOci,
  descriptorOf,
  pushImage,
  pushManifest,
  pushReferrer,
  pushReferrersTagIndex,
  simpleRequest,
  startFaultProxy,
  startReferrersFront,
  startRegistry,
  TestMediaType,
  type PushedManifest,
  type ReferrersFront,
  type StartedRegistry,
} from '../support/registry';
import { clientFor, guardErrorOf, repoOf } from './client-for';

const BUNDLE = TestMediaType.SIGSTORE_BUNDLE;
const ATTESTATION = 'application/vnd.in-toto+json';
const SBOM = 'application/spdx+json';

describe('distribution 2.8.2 and OCI 1.1 artifacts', () => {
  let registry: StartedRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => registry?.stop());

  it('has no referrers API (404, not an OCI index)', async () => {
    const image = await pushImage(registry, 'probe/app', 'v1');
    const res = await simpleRequest(`${registry.url}/v2/probe/app/referrers/${image.digest}`, {
      headers: { accept: TestMediaType.OCI_INDEX },
    });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).not.toContain(TestMediaType.OCI_INDEX);
  });

  it('stores an artifact manifest with subject, artifactType and the empty config byte for byte', async () => {
    const image = await pushImage(registry, 'probe/app', 'v2');
    const referrer = await pushReferrer(registry, 'probe/app', image, {
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
    });
    const parsed = JSON.parse(referrer.bytes.toString('utf8')) as Record<
      string,
      { mediaType?: string; digest?: string }
    >;
    expect(parsed.config?.mediaType).toBe(TestMediaType.OCI_EMPTY);
    expect(parsed.subject?.digest).toBe(image.digest);
    const fetched = await clientFor(registry).getManifest(repoOf(registry, 'probe/app'), referrer.digest);
    expect(fetched?.bytes.equals(referrer.bytes)).toBe(true);
    expect(fetched?.mediaType).toBe(TestMediaType.OCI_MANIFEST);
  });
});

describe('listReferrers', () => {
  let registry: StartedRegistry;
  let front: ReferrersFront;
  let unfilteredFront: ReferrersFront;
  let image: PushedManifest;
  let bundle: PushedManifest;
  let attestation: PushedManifest;
  let sbom: PushedManifest;

  beforeAll(async () => {
    registry = await startRegistry();
    front = await startReferrersFront(registry, { pageSize: 2 });
    unfilteredFront = await startReferrersFront(registry, { applyArtifactTypeFilter: false });
    image = await pushImage(front, 'team/app', 'v1');
    bundle = await pushReferrer(front, 'team/app', image, {
      annotations: { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
    });
    attestation = await pushReferrer(front, 'team/app', image, { artifactType: ATTESTATION });
    sbom = await pushReferrer(front, 'team/app', image, {
      artifactType: SBOM,
      layerMediaType: 'application/json',
    });
    for (const d of [bundle, attestation, sbom]) {
      await pushManifest(unfilteredFront, 'team/app', d.digest, d.bytes, d.mediaType); // record in the second front too
    }
  });
  afterAll(async () => {
    await front?.stop();
    await unfilteredFront?.stop();
    await registry?.stop();
  });

  it('uses the referrers API when present, following Link pagination', async () => {
    const client = clientFor(front);
    const result = await client.listReferrers(repoOf(front, 'team/app'), image.digest);
    expect(result.source).toBe('api');
    expect(result.descriptors.map((d) => d.digest)).toEqual([bundle.digest, attestation.digest, sbom.digest]);
    expect(result.descriptors[0]).toEqual({
      mediaType: TestMediaType.OCI_MANIFEST,
      digest: bundle.digest,
      size: bundle.size,
      artifactType: BUNDLE,
      annotations: {
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
      },
    });
    expect(client.stats.referrers).toBe(2); // two pages of 2
    expect(client.stats.manifest).toBe(0); // no fallback tag read
  });

  it('passes artifactType to the registry and filters on its own side as well', async () => {
    const filtered = await clientFor(front).listReferrers(repoOf(front, 'team/app'), image.digest, {
      artifactType: BUNDLE,
    });
    expect(filtered.descriptors.map((d) => d.digest)).toEqual([bundle.digest]);
    expect(front.requests.at(-1)?.url).toContain(`artifactType=${encodeURIComponent(BUNDLE)}`);

    const client = clientFor(unfilteredFront);
    const ignored = await client.listReferrers(repoOf(unfilteredFront, 'team/app'), image.digest, {
      artifactType: SBOM,
    });
    expect(ignored.source).toBe('api');
    expect(ignored.descriptors.map((d) => d.digest)).toEqual([sbom.digest]);
  });

  it('returns an empty API result for an image without referrers', async () => {
    const lonely = await pushImage(front, 'team/app', 'lonely');
    expect(await clientFor(front).listReferrers(repoOf(front, 'team/app'), lonely.digest)).toEqual({
      source: 'api',
      descriptors: [],
    });
  });

  it('bounds pagination: pages and descriptors', async () => {
    const pages = await guardErrorOf(
      clientFor(front, { maxReferrerPages: 1 }).listReferrers(repoOf(front, 'team/app'), image.digest),
    );
    expect(pages.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(pages.message).toContain('more than 1 pages');
    const count = await guardErrorOf(
      clientFor(front, { maxReferrers: 2 }).listReferrers(repoOf(front, 'team/app'), image.digest),
    );
    expect(count.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(count.message).toContain('more than 2 referrers');
  });

  it('refuses a next-page link to another origin', async () => {
    const evil = await startReferrersFront(registry, { pageSize: 1, nextLinkOrigin: 'http://127.0.0.1:9' });
    try {
      await pushManifest(evil, 'team/app', bundle.digest, bundle.bytes, bundle.mediaType);
      await pushManifest(evil, 'team/app', sbom.digest, sbom.bytes, sbom.mediaType);
      const client = clientFor(evil);
      const error = await guardErrorOf(client.listReferrers(repoOf(evil, 'team/app'), image.digest));
      expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
      expect(error.message).toContain('outside the registry');
      expect(client.stats.referrers).toBe(1);
    } finally {
      await evil.stop();
    }
  });

  it('falls back to the sha256-<hex> tag when the registry has no referrers API', async () => {
    const index = await pushReferrersTagIndex(registry, 'team/app', image.digest, [
      { ...descriptorOf(bundle), artifactType: BUNDLE },
      { ...descriptorOf(sbom), artifactType: SBOM },
    ]);
    expect(index.digest).toMatch(/^sha256:/);
    const client = clientFor(registry);
    const result = await client.listReferrers(repoOf(registry, 'team/app'), image.digest);
    expect(result).toEqual({
      source: 'tag',
      descriptors: [
        { ...descriptorOf(bundle), artifactType: BUNDLE },
        { ...descriptorOf(sbom), artifactType: SBOM },
      ],
    });
    expect(client.stats).toMatchObject({ referrers: 1, manifest: 1 });
    const onlyBundles = await client.listReferrers(repoOf(registry, 'team/app'), image.digest, {
      artifactType: BUNDLE,
    });
    expect(onlyBundles.descriptors.map((d) => d.digest)).toEqual([bundle.digest]);
  });

  it("reports 'none' when there is neither an API nor a fallback tag", async () => {
    const unsigned = await pushImage(registry, 'team/app', 'unsigned');
    expect(await clientFor(registry).listReferrers(repoOf(registry, 'team/app'), unsigned.digest)).toEqual({
      source: 'none',
      descriptors: [],
    });
  });

  it('treats a 200 that is not an OCI index as "no referrers API" (tag fallback)', async () => {
    const proxy = await startFaultProxy(front);
    try {
      proxy.setPlan([
        {
          match: { path: '/referrers/' },
          fault: { type: 'set-headers', headers: { 'content-type': 'text/html' } },
        },
      ]);
      const client = clientFor(proxy);
      const result = await client.listReferrers(repoOf(proxy, 'team/app'), image.digest);
      expect(result.source).toBe('tag');
      proxy.setPlan([{ match: { path: '/referrers/' }, fault: { type: 'status', status: 406 } }]);
      expect((await client.listReferrers(repoOf(proxy, 'team/app'), image.digest)).source).toBe('tag');
      proxy.setPlan([{ match: { path: '/referrers/' }, fault: { type: 'status', status: 500 } }]);
      const error = await guardErrorOf(client.listReferrers(repoOf(proxy, 'team/app'), image.digest));
      expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE); // a failing API is an error, never "unsigned"
    } finally {
      await proxy.stop();
    }
  });

  it('rejects a fallback tag that is not an image index, and malformed descriptors', async () => {
    const other = await pushImage(registry, 'team/app', undefined);
    await pushImage(registry, 'team/app', other.digest.replace(':', '-')); // an image manifest at the fallback tag
    const error = await guardErrorOf(
      clientFor(registry).listReferrers(repoOf(registry, 'team/app'), other.digest),
    );
    expect(error.code).toBe(ReasonCode.UNSUPPORTED_FORMAT);
    expect(error.message).toContain('not an OCI image index');

    // distribution checks the children of an index it stores, so a malformed listing comes from the API side.
    const proxy = await startFaultProxy(front);
    try {
      const malformed = JSON.stringify({
        schemaVersion: 2,
        mediaType: TestMediaType.OCI_INDEX,
        manifests: [{ mediaType: TestMediaType.OCI_MANIFEST, digest: 'sha256:short', size: 1 }],
      });
      proxy.setPlan([{ match: { path: '/referrers/' }, fault: { type: 'replace-body', body: malformed } }]);
      const bad = await guardErrorOf(clientFor(proxy).listReferrers(repoOf(proxy, 'team/app'), image.digest));
      expect(bad.code).toBe(ReasonCode.UNSUPPORTED_FORMAT);
      expect(bad.message).toContain('manifests[0]: digest "sha256:short" is invalid');
    } finally {
      await proxy.stop();
    }
  });
});

describe('@sigstore/oci as an independent writer of the referrer layouts', () => {
  const credentials = { username: 'signer', password: 'signer-pass' };
  let registry: StartedRegistry;
  let front: ReferrersFront;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: credentials });
    front = await startReferrersFront(registry);
  });
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  it('writes the fallback tag index on distribution 2.8.2, which the client then finds', async () => {
    const image = await pushImage(registry, 'signed/app', 'v1');
    const bundleJson = Buffer.from(JSON.stringify({ mediaType: BUNDLE, note: 'written by @sigstore/oci' }));
    const attached = await attachWithSigstoreOci(registry, 'signed/app', image.digest, bundleJson, BUNDLE);
    const client = clientFor(registry);
    const result = await client.listReferrers(repoOf(registry, 'signed/app'), image.digest, {
      artifactType: BUNDLE,
    });
    expect(result.source).toBe('tag');
    expect(result.descriptors).toEqual([
      expect.objectContaining({ digest: attached.digest, artifactType: BUNDLE }),
    ]);
    const manifest = await client.getManifest(repoOf(registry, 'signed/app'), attached.digest);
    const layer = (
      JSON.parse(manifest?.bytes.toString('utf8') ?? '{}') as {
        layers: Array<{ digest: string; size: number }>;
      }
    ).layers[0];
    expect((await client.getBlob(repoOf(registry, 'signed/app'), layer!)).equals(bundleJson)).toBe(true);
  });

  it('uses the referrers API through the front (no fallback tag written)', async () => {
    const image = await pushImage(front, 'signed/app', 'v2');
    const attached = await attachWithSigstoreOci(
      front,
      'signed/app',
      image.digest,
      Buffer.from('{"v":2}'),
      BUNDLE,
    );
    const client = clientFor(front);
    const result = await client.listReferrers(repoOf(front, 'signed/app'), image.digest);
    expect(result).toEqual({
      source: 'api',
      descriptors: [expect.objectContaining({ digest: attached.digest, artifactType: BUNDLE })],
    });
    expect(
      await clientFor(registry).getManifest(repoOf(registry, 'signed/app'), image.digest.replace(':', '-')),
    ).toBeUndefined();
  });
});
