/** Building blocks shared by the cosign and Notation discovery: reads with the budget, and partial results. */
import type { SignatureCheck } from '../cosign/types';
import { GuardError, toGuardError } from '../errors';
import { ReasonCode } from '../reasons';
import type { VerificationBudget } from '../registry/budget';
import type { RequestOptions } from '../registry/types';
import { untrustedText } from '../text/untrusted-text';
import { isTransportFailure, type Discovery } from './summarise';

export function readOptions(
  ctx: { budget: VerificationBudget; signal?: AbortSignal },
  maxBytes?: number,
): RequestOptions & { maxBytes?: number } {
  return {
    budget: ctx.budget,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  };
}

export const NOTHING: Discovery = { checks: [], transportErrors: [], truncated: false };

export function failedCheck(
  format: SignatureCheck['format'],
  artifact: string,
  reason: ReasonCode,
  message: string,
): SignatureCheck {
  return { format, artifact, ok: false, reason, message };
}

export function single(check: SignatureCheck): Discovery {
  return { checks: [check], transportErrors: [], truncated: false };
}

export function merge(parts: Discovery[], truncated: boolean): Discovery {
  return {
    checks: parts.flatMap((p) => p.checks),
    transportErrors: parts.flatMap((p) => p.transportErrors),
    truncated: truncated || parts.some((p) => p.truncated),
  };
}

export function failedLookup(e: unknown, format: SignatureCheck['format'], what: string): Discovery {
  const error = toGuardError(e, ReasonCode.REGISTRY_UNAVAILABLE);
  if (isTransportFailure(error)) return { checks: [], transportErrors: [error], truncated: false };
  // Content a pusher controls (oversized, corrupt): a failing artifact, not an undecidable lookup.
  return single(failedCheck(format, what, error.code, error.message));
}

/**
 * A failure about one artifact: a failing check; when the lookup itself failed (transport, an AWS
 * look-up), also a transport error, so the verdict is "unknown" unless another signature verifies.
 */
export function artifactFailure(
  e: unknown,
  format: SignatureCheck['format'],
  artifact: string,
  extra: Pick<SignatureCheck, 'notation'> = {},
): Discovery {
  const error = toGuardError(e, ReasonCode.REGISTRY_UNAVAILABLE);
  const check = { ...failedCheck(format, artifact, error.code, error.message), ...extra };
  if (isTransportFailure(error)) {
    return {
      checks: [check],
      transportErrors: [
        new GuardError(error.code, `${untrustedText(artifact, 80)}: ${error.message}`, {
          retryable: error.retryable,
        }),
      ],
      truncated: false,
    };
  }
  return single(check);
}
