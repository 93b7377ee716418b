import { LruCache } from './lru-cache';
import type { ImageVerification } from '../verify/types';

export interface VerdictCacheOptions {
  maxEntries?: number;
  /** How long a positive verdict is reused (a removed signature is noticed after this). */
  positiveTtlMs?: number;
  /** Negative verdicts are kept briefly: a signature pushed after a failed deploy counts soon. */
  negativeTtlMs?: number;
  now?: () => number;
}

/**
 * Verdicts keyed by everything that affects the answer (see `verdictKey`). Errors are never
 * cached: "could not decide" must be asked again.
 */
export class VerdictCache {
  private readonly lru: LruCache<ImageVerification>;
  private readonly positiveTtlMs: number;
  private readonly negativeTtlMs: number;

  constructor(options: VerdictCacheOptions = {}) {
    this.lru = new LruCache(options.maxEntries ?? 5000, options.now);
    this.positiveTtlMs = options.positiveTtlMs ?? 15 * 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
  }

  get size(): number {
    return this.lru.size;
  }

  get(key: string): ImageVerification | undefined {
    return this.lru.get(key);
  }

  set(key: string, verdict: ImageVerification): void {
    if (verdict.error) return;
    this.lru.set(key, verdict, verdict.verified ? this.positiveTtlMs : this.negativeTtlMs);
  }

  clear(): void {
    this.lru.clear();
  }
}
