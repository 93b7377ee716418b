import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/** KMS errors that will not go away by asking again: the key or the permissions are wrong. */
const PERMANENT = new Set([
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidArnException',
  'InvalidKeyUsageException',
  'UnsupportedOperationException',
  'InvalidGrantTokenException',
  'UnrecognizedClientException',
  'ValidationException',
]);

/** KMS errors that may clear up: throttling, KMS-side or dependency failures. */
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Maps a GetPublicKey failure to KEY_UNAVAILABLE, retryable only when a later call may succeed. */
export function kmsErrorToGuardError(error: unknown, ref: string): GuardError {
  if (error instanceof GuardError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  let retryable: boolean;
  if (PERMANENT.has(name)) retryable = false;
  else if (TRANSIENT.has(name)) retryable = true;
  else if (status !== undefined) retryable = status >= 500 || status === 429;
  else retryable = e.$fault !== 'client'; // no HTTP response at all: a network failure
  return new GuardError(
    ReasonCode.KEY_UNAVAILABLE,
    `KMS key "${ref}": GetPublicKey failed: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`,
    { retryable, cause: error },
  );
}
