import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import type { FetchResponse } from './fetch-function';
import { cancelBody, readBodyWithLimits } from './limits';

/** Enough of an error body to show the registry's own error code and message. */
const MAX_ERROR_BODY_BYTES = 4096;

/**
 * The registry's distribution-spec error (`{"errors":[{"code","message"}]}`), as a short
 * suffix for messages; empty when the body is absent, too big or not that shape.
 */
export async function registryErrorDetail(response: FetchResponse): Promise<string> {
  try {
    const bytes = await readBodyWithLimits(response, { maxBytes: MAX_ERROR_BODY_BYTES, what: 'error body' });
    const first = (
      JSON.parse(bytes.toString('utf8')) as { errors?: Array<{ code?: unknown; message?: unknown }> }
    ).errors?.[0];
    // The registry's own words: data for a message, never its layout (no newlines, no escapes).
    const code = typeof first?.code === 'string' ? untrustedText(first.code, 60) : undefined;
    const message = typeof first?.message === 'string' ? untrustedText(first.message, 200) : undefined;
    return code ? ` (${code}${message ? `: ${message}` : ''})` : '';
  } catch {
    await cancelBody(response);
    return '';
  }
}

/** A status the operation has no use for: the registry's final answer, not retried. */
export async function unexpectedStatus(
  response: FetchResponse,
  what: string,
  host: string,
): Promise<GuardError> {
  const detail = await registryErrorDetail(response);
  return new GuardError(
    ReasonCode.REGISTRY_UNAVAILABLE,
    `${what}: ${host} answered HTTP ${response.status}${detail}`,
  );
}

/** 403 (or 401 after authenticating): the credentials do not grant this read. */
export async function accessDenied(
  response: FetchResponse,
  what: string,
  registry: string,
): Promise<GuardError> {
  const detail = await registryErrorDetail(response);
  return new GuardError(
    ReasonCode.REGISTRY_AUTH,
    `${what}: registry ${registry} denied access (HTTP ${response.status})${detail}`,
  );
}
