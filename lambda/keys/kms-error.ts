import { classifyAwsError, isRetryableAwsError } from '../aws/aws-error';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/** Maps a GetPublicKey failure to KEY_UNAVAILABLE, retryable only when a later call may succeed. */
export function kmsErrorToGuardError(error: unknown, ref: string): GuardError {
  if (error instanceof GuardError) return error;
  const { name, status, message } = classifyAwsError(error);
  const retryable = isRetryableAwsError(error);
  return new GuardError(
    ReasonCode.KEY_UNAVAILABLE,
    `KMS key "${ref}": GetPublicKey failed: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`,
    { retryable, cause: error },
  );
}
