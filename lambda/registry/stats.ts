/** What the client sent, by purpose. The benchmark reads it; tests assert on it. */
export type RequestKind = 'manifest' | 'blob' | 'referrers' | 'token';

export interface RegistryStats {
  /** Every HTTP request sent (each attempt and each redirect hop counts once). */
  total: number;
  manifest: number;
  blob: number;
  referrers: number;
  token: number;
  /** Attempts repeated after 429, 5xx or a network error. */
  retries: number;
  /** Redirects followed. */
  redirects: number;
}

export function emptyStats(): RegistryStats {
  return { total: 0, manifest: 0, blob: 0, referrers: 0, token: 0, retries: 0, redirects: 0 };
}

/** Zeroes the counters in place (the object handed out stays the live one). */
export function resetStats(stats: RegistryStats): void {
  Object.assign(stats, emptyStats());
}
