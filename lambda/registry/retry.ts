import { backoffDelayMs, sleep as cancellableSleep } from '../aws/retry';
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
  return backoffDelayMs(attempt, policy.baseBackoffMs, policy.maxBackoffMs, policy.random);
}

/** Sleeps `ms` (the one cancellable sleep), cut short by `signal`: then TIMEOUT, the caller's deadline passed. */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await cancellableSleep(ms, signal);
  } catch {
    throw callerAborted();
  }
}

export function callerAborted(): GuardError {
  return new GuardError(ReasonCode.TIMEOUT, 'registry request cancelled: the overall deadline passed', {
    retryable: true,
  });
}
