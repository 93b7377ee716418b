/**
 * Bearer tokens per (registry, realm, service, scope), reused until they are about to expire.
 * Bounded: the oldest entry goes when full (Map keeps insertion order).
 */
export class TokenCache {
  private readonly entries = new Map<string, { token: string; validUntil: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.validUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /** Keeps `token` until `expiresInMs` minus `marginMs` (at least half its lifetime). */
  set(key: string, token: string, expiresInMs: number, marginMs: number): void {
    const usable = expiresInMs > 2 * marginMs ? expiresInMs - marginMs : expiresInMs / 2;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { token, validUntil: this.now() + usable });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
