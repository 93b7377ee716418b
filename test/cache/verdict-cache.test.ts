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
});
