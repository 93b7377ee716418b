import { ReasonCode } from './reasons';

/**
 * The one error type the engine throws on purpose. `code` is a stable reason code, `message`
 * says what is wrong in words a user can act on, and `retryable` tells the caller whether the
 * same call may succeed later (network, throttling) or never will (bad input, bad signature).
 */
export class GuardError extends Error {
  readonly code: ReasonCode;
  readonly retryable: boolean;

  constructor(code: ReasonCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isGuardError(e: unknown): e is GuardError {
  return e instanceof GuardError;
}

/** Wraps anything thrown into a GuardError, keeping a GuardError's own code. Never a pass. */
export function toGuardError(e: unknown, fallback: ReasonCode = ReasonCode.INTERNAL_ERROR): GuardError {
  if (e instanceof GuardError) return e;
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new GuardError(ReasonCode.TIMEOUT, `timed out: ${e.message}`, { retryable: true, cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new GuardError(fallback, message, { cause: e });
}
