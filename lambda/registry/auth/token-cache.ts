import { LruCache } from '../../cache/lru-cache';

/** Tokens are a few KiB (a JWT); a token response may be up to 64 KiB, so the total is bounded too. */
export const MAX_TOKEN_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Bearer tokens per (registry, realm, service, scope), reused until they are about to expire.
 * Bounded by entries and by bytes: the least recently used entry goes when full.
 */
export class TokenCache {
  private readonly lru: LruCache<string>;

  constructor(maxEntries: number, now: () => number, maxBytes: number = MAX_TOKEN_CACHE_BYTES) {
    this.lru = new LruCache<string>(maxEntries, now, {
      maxBytes,
      sizeOf: (key, token) => 2 * (key.length + token.length),
    });
  }

  get(key: string): string | undefined {
    return this.lru.get(key);
  }

  /** Keeps `token` until `expiresInMs` minus `marginMs` (at least half its lifetime). */
  set(key: string, token: string, expiresInMs: number, marginMs: number): void {
    const usable = expiresInMs > 2 * marginMs ? expiresInMs - marginMs : expiresInMs / 2;
    this.lru.set(key, token, usable);
  }

  delete(key: string): void {
    this.lru.delete(key);
  }
}
