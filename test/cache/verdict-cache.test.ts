import { VerdictCache } from '../../lambda/cache/verdict-cache';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageVerification } from '../../lambda/verify/types';

function verdict(overrides: Partial<ImageVerification>): ImageVerification {
  return {
    image: 'docker.io/library/nginx@sha256:' + 'a'.repeat(64),
    verified: true,
    reason: ReasonCode.VERIFIED,
    message: '',
    verifiedKeys: ['k'],
    signatures: [],
    error: false,
    cached: false,
    durationMs: 1,
    ...overrides,
  };
}

describe('VerdictCache', () => {
  it('keeps positive verdicts longer than negative ones', () => {
    let now = 0;
    const cache = new VerdictCache({ positiveTtlMs: 1000, negativeTtlMs: 10, now: () => now });
    cache.set('pos', verdict({}));
    cache.set('neg', verdict({ verified: false, reason: ReasonCode.NO_SIGNATURES, verifiedKeys: [] }));
    now = 11;
    expect(cache.get('neg')).toBeUndefined();
    expect(cache.get('pos')?.reason).toBe(ReasonCode.VERIFIED);
    now = 1001;
    expect(cache.get('pos')).toBeUndefined();
  });

  it('never caches an error', () => {
    const cache = new VerdictCache();
    cache.set('err', verdict({ verified: false, error: true, reason: ReasonCode.REGISTRY_UNAVAILABLE }));
    expect(cache.get('err')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays within its byte bound, evicting the oldest verdicts', () => {
    const cache = new VerdictCache({ maxEntries: 100_000, maxBytes: 64 * 1024 });
    const message = 'm'.repeat(2000);
    for (let i = 0; i < 500; i++) cache.set(`k${i}`, verdict({ message }));
    expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size).toBeLessThan(500);
    expect(cache.get('k499')?.message).toBe(message);
    expect(cache.get('k0')).toBeUndefined();
  });

  it('keeps a summary: only the fields of a verdict and its checks, copied', () => {
    const cache = new VerdictCache();
    const check = {
      format: 'legacy',
      artifact: 'sha256:' + 'b'.repeat(64),
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: 'ok',
      key: 'k',
    };
    // Whatever else a lookup hung on the objects (a payload here) is not kept alive by the cache.
    const full = verdict({
      signatures: [
        { ...check, payload: Buffer.alloc(1024) } as unknown as ImageVerification['signatures'][number],
      ],
    });
    (full as unknown as Record<string, unknown>).manifest = Buffer.alloc(1024);
    cache.set('k', full);
    const cached = cache.get('k') as ImageVerification;
    expect(cached.signatures).toEqual([check]);
    expect(Object.keys(cached)).not.toContain('manifest');
    expect(cached.verifiedKeys).not.toBe(full.verifiedKeys);
  });
});
