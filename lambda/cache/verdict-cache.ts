import type { SignatureCheck } from '../cosign/types';
import type { ImageVerification } from '../verify/types';
import { LruCache } from './lru-cache';

export interface VerdictCacheOptions {
  maxEntries?: number;
  /** Estimated memory the cached summaries may hold. Default 8 MiB. */
  maxBytes?: number;
  /** How long a positive verdict is reused (a removed signature is noticed after this). */
  positiveTtlMs?: number;
  /** Negative verdicts are kept briefly: a signature pushed after a failed deploy counts soon. */
  negativeTtlMs?: number;
  now?: () => number;
}

/** Per-entry bookkeeping beyond the text (Map entry, object headers). */
const ENTRY_OVERHEAD_BYTES = 256;

/**
 * A verdict as cached: only the fields a verdict has, copied, so nothing else a lookup touched
 * (payloads, manifests, errors with causes) is kept alive by the cache.
 */
export function verdictSummary(verdict: ImageVerification): ImageVerification {
  const signatures = verdict.signatures.map(
    ({ format, artifact, key, ok, reason, message }): SignatureCheck => ({
      format,
      artifact,
      ...(key === undefined ? {} : { key }),
      ok,
      reason,
      message,
    }),
  );
  return {
    image: verdict.image,
    ...(verdict.digest === undefined ? {} : { digest: verdict.digest }),
    ...(verdict.digestSource === undefined ? {} : { digestSource: verdict.digestSource }),
    verified: verdict.verified,
    reason: verdict.reason,
    message: verdict.message,
    verifiedKeys: [...verdict.verifiedKeys],
    signatures,
    error: verdict.error,
    cached: verdict.cached,
    durationMs: verdict.durationMs,
    ...(verdict.usage === undefined ? {} : { usage: { ...verdict.usage } }),
  };
}

/** UTF-16 code units × 2: what the strings of a summary take in V8, roughly. */
function estimatedBytes(key: string, verdict: ImageVerification): number {
  return 2 * (key.length + JSON.stringify(verdict).length) + ENTRY_OVERHEAD_BYTES;
}

/**
 * Verdict summaries keyed by everything that affects the answer (see `verdictKey`), bounded by
 * entries and by bytes. Errors are never cached: "could not decide" must be asked again.
 */
export class VerdictCache {
  private readonly lru: LruCache<ImageVerification>;
  private readonly positiveTtlMs: number;
  private readonly negativeTtlMs: number;

  constructor(options: VerdictCacheOptions = {}) {
    this.lru = new LruCache(options.maxEntries ?? 5000, options.now, {
      maxBytes: options.maxBytes ?? 8 * 1024 * 1024,
      sizeOf: estimatedBytes,
    });
    this.positiveTtlMs = options.positiveTtlMs ?? 15 * 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
  }

  get size(): number {
    return this.lru.size;
  }

  /** Estimated bytes held by the cached summaries. */
  get bytes(): number {
    return this.lru.bytes;
  }

  get(key: string): ImageVerification | undefined {
    return this.lru.get(key);
  }

  set(key: string, verdict: ImageVerification): void {
    if (verdict.error) return;
    this.lru.set(key, verdictSummary(verdict), verdict.verified ? this.positiveTtlMs : this.negativeTtlMs);
  }

  clear(): void {
    this.lru.clear();
  }
}
