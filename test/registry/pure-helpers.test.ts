import { TokenCache } from '../../lambda/registry/auth/token-cache';
import { apiHost, assertFetchableUrl, registryOrigin } from '../../lambda/registry/endpoint';
import { nextLink } from '../../lambda/registry/link-header';
import { referrersTagFor } from '../../lambda/registry/referrers-tag';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from '../../lambda/registry/retry';
import { ReasonCode } from '../../lambda/reasons';

describe('endpoint', () => {
  it('sends Docker Hub to registry-1.docker.io and everything else to its own host', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('index.docker.io')).toBe('registry-1.docker.io');
    expect(registryOrigin('docker.io', new Set())).toBe('https://registry-1.docker.io');
    expect(registryOrigin('ghcr.io', new Set())).toBe('https://ghcr.io');
    expect(registryOrigin('[::1]:5000', new Set())).toBe('https://[::1]:5000');
  });

  it('uses http only for hosts listed exactly as insecure', () => {
    const insecure = new Set(['127.0.0.1:5000']);
    expect(registryOrigin('127.0.0.1:5000', insecure)).toBe('http://127.0.0.1:5000');
    expect(registryOrigin('127.0.0.1:5001', insecure)).toBe('https://127.0.0.1:5001');
    expect(registryOrigin('127.0.0.1', insecure)).toBe('https://127.0.0.1');
    expect(() => assertFetchableUrl(new URL('http://127.0.0.1:5000/x'), insecure, 'x')).not.toThrow();
    expect(() => assertFetchableUrl(new URL('http://127.0.0.1:5001/x'), insecure, 'x')).toThrow(
      expect.objectContaining({
        code: ReasonCode.REGISTRY_UNAVAILABLE,
        message: expect.stringContaining('only https'),
      }),
    );
    expect(() => assertFetchableUrl(new URL('ftp://127.0.0.1:5000/x'), insecure, 'x')).toThrow();
  });
});

describe('nextLink', () => {
  const base = new URL('https://r.example/v2/a/referrers/sha256:x?n=1');
  it('resolves a relative rel="next" link against the request URL', () => {
    expect(nextLink('</v2/a/referrers/sha256:x?page=2>; rel="next"', base)?.href).toBe(
      'https://r.example/v2/a/referrers/sha256:x?page=2',
    );
  });
  it('finds next among several links and relation lists', () => {
    expect(
      nextLink('<https://r.example/p1>; rel="prev", <https://r.example/p3>; rel="last next"', base)?.href,
    ).toBe('https://r.example/p3');
    expect(nextLink('<https://other.example/p2>; rel=next', base)?.origin).toBe('https://other.example');
  });
  it('returns undefined without a next link', () => {
    expect(nextLink(null, base)).toBeUndefined();
    expect(nextLink('<https://r.example/p1>; rel="prev"', base)).toBeUndefined();
    expect(nextLink('garbage', base)).toBeUndefined();
  });
});

describe('retry policy', () => {
  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 405, 406].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('caps Retry-After and uses full jitter below an exponential ceiling otherwise', () => {
    const policy = { baseBackoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 5000, random: () => 0.999 };
    expect(retryDelayMs(1, 60_000, policy)).toBe(5000);
    expect(retryDelayMs(1, 200, policy)).toBe(200);
    expect(retryDelayMs(1, undefined, policy)).toBe(99);
    expect(retryDelayMs(3, undefined, policy)).toBe(399);
    expect(retryDelayMs(10, undefined, policy)).toBe(999);
    expect(retryDelayMs(3, undefined, { ...policy, random: () => 0 })).toBe(0);
  });
});

describe('referrersTagFor', () => {
  it('follows the Referrers Tag Schema', () => {
    const hex = 'ab'.repeat(32);
    expect(referrersTagFor(`sha256:${hex}`)).toBe(`sha256-${hex}`);
    const long = 'cd'.repeat(64);
    expect(referrersTagFor(`sha512:${long}`)).toBe(`sha512-${long.slice(0, 64)}`);
  });
});

describe('TokenCache', () => {
  it('expires entries at expires_in minus the margin and evicts the oldest when full', () => {
    let now = 0;
    const cache = new TokenCache(2, () => now);
    cache.set('a', 'token-a', 60_000, 10_000);
    now = 49_999;
    expect(cache.get('a')).toBe('token-a');
    now = 50_000;
    expect(cache.get('a')).toBeUndefined();
    cache.set('short', 't', 10_000, 10_000); // margin larger than half the lifetime: half the lifetime
    now += 4_999;
    expect(cache.get('short')).toBe('t');
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    cache.set('x', '1', 60_000, 0);
    cache.set('y', '2', 60_000, 0);
    cache.set('z', '3', 60_000, 0);
    expect([cache.get('x'), cache.get('y'), cache.get('z')]).toEqual([undefined, '2', '3']);
  });
});
