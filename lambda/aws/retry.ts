/**
 * The one retry loop: exponential back-off with full jitter (so many Lambdas retrying together do
 * not synchronise), bounded by attempts and by a deadline, and the one cancellable sleep.
 * It adds to the SDK's own retries: when a quota stays exhausted for longer than the SDK waits,
 * the call is tried again as long as the invocation has time left, never beyond.
 */
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { isRetryableAwsError } from './aws-error';

export interface RetryOptions {
  /** Total attempts, including the first. */
  attempts: number;
  /** Ceiling of the first wait; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Epoch ms: no wait may end after it; then the last error is thrown. */
  deadline?: number;
  /** Which errors are worth another attempt. Default: throttling, server and network failures. */
  retryable?: (error: unknown) => boolean;
  /** Cancels a wait (then `sleep` throws TIMEOUT). */
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each wait: for logs and tests. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'> = {
  attempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/** Full-jitter back-off before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `call` until it succeeds, fails for good, runs out of attempts or would pass the deadline. */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const retryable = options.retryable ?? isRetryableAwsError;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      if (attempt >= options.attempts || !retryable(e)) throw e;
      const delay = backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs, options.random);
      if (options.deadline !== undefined && now() + delay >= options.deadline) throw e;
      options.onRetry?.(e, attempt, delay);
      await wait(delay, options.signal);
    }
  }
}

/** Sleeps `ms`, cut short by `signal` (then throws a retryable TIMEOUT: the caller's deadline passed). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(deadlinePassed());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(deadlinePassed());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function deadlinePassed(): GuardError {
  return new GuardError(ReasonCode.TIMEOUT, 'cancelled: the deadline passed', { retryable: true });
}
