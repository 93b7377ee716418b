import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/** 429 and 5xx may succeed later; every other status is the registry's final answer. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^[0-9]+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffPolicy {
  baseBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

/**
 * Wait before attempt `attempt + 1`: the registry's Retry-After (capped), else exponential
 * backoff with full jitter so many Lambdas retrying together do not synchronise.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Sleeps `ms`, cut short by `signal` (then throws TIMEOUT: the caller's deadline passed). */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(callerAborted());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(callerAborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function callerAborted(): GuardError {
  return new GuardError(ReasonCode.TIMEOUT, 'registry request cancelled: the overall deadline passed', {
    retryable: true,
  });
}
