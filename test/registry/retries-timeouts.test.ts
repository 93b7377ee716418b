import { ReasonCode } from '../../lambda/reasons';
import {
  pushImage,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type PushedManifest,
  type StartedRegistry,
} from '../support/registry';
import { clientFor, guardErrorOf, repoOf } from './client-for';

describe('RegistryClient retries, statuses and timeouts (fault proxy in front of a real registry)', () => {
  let registry: StartedRegistry;
  let proxy: FaultProxy;
  let image: PushedManifest;
  const manifests = { path: '/manifests/' };

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry);
    image = await pushImage(registry, 'flaky/app', 'v1');
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  beforeEach(() => proxy.setPlan([]));

  const fetchManifest = (options = {}) =>
    clientFor(proxy, options).getManifest(repoOf(proxy, 'flaky/app'), 'v1');

  it.each([500, 502, 503, 429])('retries %i and then succeeds', async (status) => {
    proxy.setPlan([{ match: manifests, times: 2, fault: { type: 'status', status } }]);
    const client = clientFor(proxy);
    const manifest = await client.getManifest(repoOf(proxy, 'flaky/app'), 'v1');
    expect(manifest?.digest).toBe(image.digest);
    expect(client.stats).toMatchObject({ manifest: 3, retries: 2 });
    expect(proxy.applied()).toEqual([2]);
  });

  it('honours Retry-After (capped by maxRetryAfterMs) and succeeds', async () => {
    proxy.setPlan([
      {
        match: manifests,
        times: 1,
        fault: { type: 'status', status: 429, headers: { 'retry-after': '3600' } },
      },
    ]);
    const manifest = await fetchManifest({ maxRetryAfterMs: 10 });
    expect(manifest?.digest).toBe(image.digest);
  });

  it('gives up after maxAttempts with REGISTRY_UNAVAILABLE (retryable)', async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'status', status: 503 } }]);
    const error = await guardErrorOf(fetchManifest());
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('failed 3 time(s), last with HTTP 503');
    expect(proxy.applied()).toEqual([3]);

    proxy.setPlan([{ match: manifests, fault: { type: 'status', status: 500 } }]);
    await guardErrorOf(fetchManifest({ maxAttempts: 5 }));
    expect(proxy.applied()).toEqual([5]);
  });

  it('retries network errors (connection reset) and then succeeds', async () => {
    proxy.setPlan([{ match: manifests, times: 2, fault: { type: 'reset' } }]);
    expect((await fetchManifest())?.digest).toBe(image.digest);
    expect(proxy.applied()).toEqual([2]);
  });

  it('reports a registry that keeps resetting connections as REGISTRY_UNAVAILABLE', async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'reset' } }]);
    const error = await guardErrorOf(fetchManifest());
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.message).toContain('network error');
    expect(proxy.applied()).toEqual([3]);
  });

  it('returns undefined on 404 without retrying', async () => {
    proxy.setPlan([
      {
        match: manifests,
        fault: { type: 'status', status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}' },
      },
    ]);
    expect(await fetchManifest()).toBeUndefined();
    expect(proxy.applied()).toEqual([1]);
  });

  it('does not retry other 4xx and shows the registry error code', async () => {
    proxy.setPlan([
      {
        match: manifests,
        fault: {
          type: 'status',
          status: 400,
          body: '{"errors":[{"code":"NAME_INVALID","message":"bad name"}]}',
        },
      },
    ]);
    const error = await guardErrorOf(fetchManifest());
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('HTTP 400 (NAME_INVALID: bad name)');
    expect(proxy.applied()).toEqual([1]);
  });

  it('maps 403 to REGISTRY_AUTH without retrying', async () => {
    proxy.setPlan([
      { match: manifests, fault: { type: 'status', status: 403, body: '{"errors":[{"code":"DENIED"}]}' } },
    ]);
    const error = await guardErrorOf(fetchManifest());
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain('denied access (HTTP 403) (DENIED)');
    expect(proxy.applied()).toEqual([1]);
  });

  it('maps a 401 without a challenge to REGISTRY_AUTH', async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'status', status: 401 } }]);
    const error = await guardErrorOf(fetchManifest());
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain('without a WWW-Authenticate challenge');
  });

  it('times out slow response headers (TIMEOUT, retryable)', async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'delay-headers', ms: 2000 } }]);
    const error = await guardErrorOf(fetchManifest({ requestTimeoutMs: 150 }));
    expect(error.code).toBe(ReasonCode.TIMEOUT);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('within 150 ms');
    expect(proxy.applied()).toEqual([1]); // a timeout is not retried
  });

  it('times out a trickled body (the limit covers the body too)', async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'trickle-body', chunkBytes: 8, intervalMs: 100 } }]);
    const error = await guardErrorOf(fetchManifest({ requestTimeoutMs: 250 }));
    expect(error.code).toBe(ReasonCode.TIMEOUT);
  });

  it("stops at the caller's deadline (AbortSignal), also while waiting to retry", async () => {
    proxy.setPlan([{ match: manifests, fault: { type: 'delay-headers', ms: 2000 } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await guardErrorOf(
      clientFor(proxy).getManifest(repoOf(proxy, 'flaky/app'), 'v1', { signal: controller.signal }),
    );
    expect(error.code).toBe(ReasonCode.TIMEOUT);
    expect(error.message).toContain('overall deadline');

    proxy.setPlan([
      { match: manifests, fault: { type: 'status', status: 503, headers: { 'retry-after': '60' } } },
    ]);
    const waiting = new AbortController();
    const client = clientFor(proxy, { maxRetryAfterMs: 60_000 });
    const pending = client.getManifest(repoOf(proxy, 'flaky/app'), 'v1', { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 100);
    expect((await guardErrorOf(pending)).code).toBe(ReasonCode.TIMEOUT);
    expect(proxy.applied()).toEqual([1]);

    const aborted = AbortSignal.abort();
    const before = clientFor(proxy);
    expect(
      (await guardErrorOf(before.getManifest(repoOf(proxy, 'flaky/app'), 'v1', { signal: aborted }))).code,
    ).toBe(ReasonCode.TIMEOUT);
    expect(before.stats.total).toBe(0);
  });
});
