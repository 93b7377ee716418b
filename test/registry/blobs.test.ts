import { randomBytes } from 'node:crypto';
import { ReasonCode } from '../../lambda/reasons';
import {
  pushBlob,
  record,
  startLoopbackServer,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type Pushed,
  type RecordedRequest,
  type StartedRegistry,
} from '../support/registry';
import { clientFor, guardErrorOf, repoOf } from './client-for';

describe('RegistryClient blobs: digest, size, caps, redirects', () => {
  const credentials = { username: 'blob-reader', password: 'blob-secret' };
  let registry: StartedRegistry;
  let proxy: FaultProxy; // https, in front of an htpasswd registry, with an https "other origin"
  let plainProxy: FaultProxy; // http
  let blob: Pushed;
  const content = randomBytes(3000);

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: credentials });
    proxy = await startFaultProxy(registry, [], { pki: registry.pki! });
    plainProxy = await startFaultProxy(registry);
    blob = await pushBlob(registry, 'sig/store', content);
  });
  afterAll(async () => {
    await proxy?.stop();
    await plainProxy?.stop();
    await registry?.stop();
  });
  beforeEach(() => {
    proxy.setPlan([]);
    plainProxy.setPlan([]);
  });

  it('returns the exact bytes when digest and size match', async () => {
    const bytes = await clientFor(registry).getBlob(repoOf(registry, 'sig/store'), blob);
    expect(bytes.equals(content)).toBe(true);
  });

  it('rejects tampered bytes (CONTENT_MISMATCH), without retrying', async () => {
    proxy.setPlan([{ match: { path: '/blobs/' }, fault: { type: 'tamper-body' } }]);
    const client = clientFor(proxy);
    const error = await guardErrorOf(client.getBlob(repoOf(proxy, 'sig/store'), blob));
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toContain(`expected ${blob.digest}`);
    expect(client.stats.retries).toBe(0);
  });

  it('rejects a body whose size differs from the descriptor (CONTENT_MISMATCH)', async () => {
    const client = clientFor(registry);
    const error = await guardErrorOf(
      client.getBlob(repoOf(registry, 'sig/store'), { ...blob, size: blob.size + 1 }),
    );
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toContain('descriptor says');
  });

  it('stops reading a body that runs past the descriptor size (no Content-Length)', async () => {
    proxy.setPlan([
      {
        match: { path: '/blobs/' },
        fault: { type: 'oversize-body', extraBytes: 500_000, declareLength: false },
      },
    ]);
    const error = await guardErrorOf(clientFor(proxy).getBlob(repoOf(proxy, 'sig/store'), blob));
    expect(error.code).toBe(ReasonCode.CONTENT_MISMATCH);
    expect(error.message).toMatch(/at least \d+ bytes/);
  });

  it('refuses a descriptor over the cap before any request (LIMIT_EXCEEDED)', async () => {
    const client = clientFor(registry);
    const error = await guardErrorOf(
      client.getBlob(repoOf(registry, 'sig/store'), blob, { maxBytes: blob.size - 1 }),
    );
    expect(error.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(client.stats.total).toBe(0);
    const defaultCap = await guardErrorOf(
      client.getBlob(repoOf(registry, 'sig/store'), { digest: blob.digest, size: 4 * 1024 * 1024 + 1 }),
    );
    expect(defaultCap.code).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(defaultCap.message).toContain('4194304-byte limit');
  });

  it('reports a missing blob as an error, never as empty content', async () => {
    const error = await guardErrorOf(
      clientFor(registry).getBlob(repoOf(registry, 'sig/store'), {
        digest: `sha256:${'1'.repeat(64)}`,
        size: 10,
      }),
    );
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.message).toContain('does not exist');
  });

  it('follows a redirect to another origin and never sends it the Authorization header', async () => {
    proxy.setPlan([{ match: { path: '/blobs/' }, fault: { type: 'redirect', to: 'other-origin' } }]);
    const client = clientFor(proxy);
    const bytes = await client.getBlob(repoOf(proxy, 'sig/store'), blob);
    expect(bytes.equals(content)).toBe(true);
    expect(client.stats.redirects).toBe(1);

    const toRegistry = proxy.requests.filter((r) => r.url.includes('/blobs/'));
    expect(toRegistry.at(-1)?.headers.authorization).toMatch(/^Basic /);
    const toOther = proxy.otherOrigin.requests;
    expect(toOther).toHaveLength(1);
    expect(toOther[0]?.url).toContain('X-Amz-Signature');
    expect(toOther[0]?.headers.authorization).toBeUndefined();
    expect(toOther[0]?.headers.cookie).toBeUndefined();
    expect(toOther[0]?.headers['user-agent']).toMatch(/^ecs-image-guard\//);
  });

  it('refuses a redirect to plain http unless that host is listed as insecure', async () => {
    plainProxy.setPlan([{ match: { path: '/blobs/' }, fault: { type: 'redirect', to: 'other-origin' } }]);
    const refused = await guardErrorOf(clientFor(plainProxy).getBlob(repoOf(plainProxy, 'sig/store'), blob));
    expect(refused.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(refused.message).toContain(`${plainProxy.otherOrigin.host} is not`);
    expect(plainProxy.otherOrigin.requests).toHaveLength(0);

    const allowed = clientFor(plainProxy, {
      insecureRegistries: [plainProxy.host, plainProxy.otherOrigin.host],
    });
    expect((await allowed.getBlob(repoOf(plainProxy, 'sig/store'), blob)).equals(content)).toBe(true);
    expect(plainProxy.otherOrigin.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('never answers a 401 challenge from a redirect target (no credentials to its realm)', async () => {
    const seen: RecordedRequest[] = [];
    const evil = await startLoopbackServer((req, res) => {
      seen.push(record(req));
      res.writeHead(401, {
        'www-authenticate': `Basic realm="x", Bearer realm="http://${req.headers.host}/token"`,
      });
      res.end();
    });
    try {
      plainProxy.setPlan([
        { match: { path: '/blobs/' }, fault: { type: 'redirect', to: `${evil.url}/bucket/blob` } },
      ]);
      const client = clientFor(plainProxy, { insecureRegistries: [plainProxy.host, evil.host] });
      const error = await guardErrorOf(client.getBlob(repoOf(plainProxy, 'sig/store'), blob));
      expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
      expect(error.message).toContain(`redirect target ${evil.url} answered HTTP 401`);
      expect(seen.map((r) => r.url)).toEqual(['/bucket/blob']);
      expect(seen[0]?.headers.authorization).toBeUndefined();
      expect(client.stats.token).toBe(0);
    } finally {
      await evil.stop();
    }
  });

  it('bounds a redirect loop (at most 5 redirects)', async () => {
    proxy.setPlan([{ match: { path: '/blobs/' }, fault: { type: 'redirect', to: 'self' } }]);
    const client = clientFor(proxy);
    const error = await guardErrorOf(client.getBlob(repoOf(proxy, 'sig/store'), blob));
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.message).toContain('more than 5 redirects');
    expect(client.stats.redirects).toBe(5);
    expect(client.stats.retries).toBe(0);
  });

  it('honours a smaller maxRedirects option', async () => {
    proxy.setPlan([{ match: { path: '/blobs/' }, fault: { type: 'redirect', to: 'self', status: 307 } }]);
    const client = clientFor(proxy, { maxRedirects: 1 });
    const error = await guardErrorOf(client.getBlob(repoOf(proxy, 'sig/store'), blob));
    expect(error.message).toContain('more than 1 redirects');
    expect(client.stats.redirects).toBe(1);
  });
});
