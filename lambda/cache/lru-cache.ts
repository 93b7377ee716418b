/** A byte bound for an LruCache: the total `sizeOf` of its entries never passes `maxBytes`. */
export interface ByteBound<V> {
  maxBytes: number;
  /** An estimate of what one entry holds in memory (key included). */
  sizeOf: (key: string, value: V) => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
  bytes: number;
}

/**
 * A small bounded LRU map with per-entry expiry, bounded by entries and optionally by bytes.
 * Map keeps insertion order, so re-inserting on read moves an entry to the young end and the
 * oldest entry is always first.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly bound?: ByteBound<V>,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be a positive integer');
    if (bound && !(bound.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes held (0 without a byte bound). */
  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` for `ttlMs` (Infinity: until evicted). A value bigger than the whole bound is not kept. */
  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.remove(key);
    const bytes = this.bound ? this.bound.sizeOf(key, value) : 0;
    if (this.bound && bytes > this.bound.maxBytes) return;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || (this.bound && this.totalBytes > this.bound.maxBytes)) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
    }
  }

  delete(key: string): void {
    this.remove(key);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
