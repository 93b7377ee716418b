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
  /**
   * How long AWS Signer revocation answers are reused (the revocation checker's time): a positive
   * verdict that rests on an AWS Signer signature is kept no longer than its answer stays fresh.
   * Default 15 minutes.
   */
  revocationTtlMs?: number;
  /** Wall clock, epoch ms (the same clock as the revocation answers' `checkedAt`). */
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
    ({ format, artifact, key, ok, reason, message, notation }): SignatureCheck => ({
      format,
      artifact,
      ...(key === undefined ? {} : { key }),
      ok,
      reason,
      message,
      ...(notation === undefined ? {} : { notation: { ...notation } }),
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
    ...(verdict.notation === undefined
      ? {}
      : { notation: { ...verdict.notation, signers: [...verdict.notation.signers] } }),
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
  private readonly revocationTtlMs: number;
  private readonly now: () => number;

  constructor(options: VerdictCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.lru = new LruCache(options.maxEntries ?? 5000, this.now, {
      maxBytes: options.maxBytes ?? 8 * 1024 * 1024,
      sizeOf: estimatedBytes,
    });
    this.positiveTtlMs = options.positiveTtlMs ?? 15 * 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
    this.revocationTtlMs = options.revocationTtlMs ?? 15 * 60_000;
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
    const ttl = verdict.verified
      ? Math.min(this.positiveTtlMs, this.revocationFreshnessMs(verdict))
      : this.negativeTtlMs;
    this.lru.set(key, verdictSummary(verdict), ttl);
  }

  /**
   * How much longer the AWS Signer answers a verdict rests on stay fresh (the oldest one counts);
   * Infinity when it rests on none. An answer without a readable time is not fresh at all.
   */
  private revocationFreshnessMs(verdict: ImageVerification): number {
    let freshness = Infinity;
    for (const check of verdict.signatures) {
      if (!check.ok || !check.notation?.awsSigner) continue;
      const checkedAt = Date.parse(check.notation.revocationCheckedAt ?? '');
      const left = Number.isFinite(checkedAt) ? this.revocationTtlMs - (this.now() - checkedAt) : 0;
      freshness = Math.min(freshness, left);
    }
    return freshness;
  }

  clear(): void {
    this.lru.clear();
  }
}
