/**
 * The one reading of an AWS SDK v3 error: is it throttling, a failure that may clear up, a missing
 * resource, a permission problem, or a final answer? Every caller (KMS keys, ECR tokens, StopTask,
 * SNS Publish, the DynamoDB ledger, ECS Describe calls) asks here instead of keeping its own list.
 */

export type AwsErrorKind =
  /** Rate or quota exceeded: ask again later, with back-off. */
  | 'throttled'
  /** Server-side, dependency or network failure: a later call may succeed. */
  | 'retryable'
  /** The resource does not exist (or no longer does). */
  | 'not-found'
  /** The caller's credentials or permissions are wrong: asking again will not help. */
  | 'access-denied'
  /** Any other final answer (bad input, wrong key state, ...). */
  | 'permanent';

export interface AwsErrorInfo {
  kind: AwsErrorKind;
  /** The SDK's error name (`ThrottlingException`, ...), or `Error`. */
  name: string;
  message: string;
  /** HTTP status, when there was a response. */
  status?: number;
}

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceededException',
  // KMS answers a request-rate excess with LimitExceededException.
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);

const RETRYABLE = new Set([
  'InternalFailure',
  'InternalError',
  'InternalErrorException',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'KMSOptInRequired',
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

const NOT_FOUND = new Set([
  'NotFoundException',
  'NotFound',
  'ResourceNotFoundException',
  'ClusterNotFoundException',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'ServiceNotFoundException',
]);

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'AuthorizationErrorException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'NotAuthorized',
  'UnauthorizedOperation',
  'CredentialsProviderError',
]);

/** Known final answers that would otherwise look retryable (no HTTP status in a plain Error). */
const PERMANENT = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidArnException',
  'InvalidKeyUsageException',
  'UnsupportedOperationException',
  'InvalidGrantTokenException',
  'ValidationException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ClientException',
  'ConditionalCheckFailedException',
]);

/** ECS answers StopTask on a task it no longer knows with this InvalidParameterException message. */
const ECS_TASK_NOT_FOUND = /task was not found/i;

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

export function classifyAwsError(error: unknown): AwsErrorInfo {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name =
    typeof e.name === 'string' && e.name !== 'Error'
      ? e.name
      : typeof e.code === 'string'
        ? e.code
        : typeof e.name === 'string'
          ? e.name
          : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const info = (kind: AwsErrorKind): AwsErrorInfo => ({ kind, name, message, status });

  if (THROTTLED.has(name) || e.$retryable?.throttling === true) return info('throttled');
  if (name === 'InvalidParameterException' && ECS_TASK_NOT_FOUND.test(message)) return info('not-found');
  if (NOT_FOUND.has(name)) return info('not-found');
  if (ACCESS_DENIED.has(name)) return info('access-denied');
  if (RETRYABLE.has(name)) return info('retryable');
  if (PERMANENT.has(name)) return info('permanent');
  if (status !== undefined) {
    if (status === 429) return info('throttled');
    if (status >= 500) return info('retryable');
    if (status === 403) return info('access-denied');
    if (status === 404) return info('not-found');
    return info('permanent');
  }
  if (/rate exceeded|throttl/i.test(message)) return info('throttled');
  // No HTTP response at all: a network failure, unless the SDK says the client was at fault.
  return info(e.$fault === 'client' ? 'permanent' : 'retryable');
}

/** True when the same call may succeed later (throttling, server or network failure). */
export function isRetryableAwsError(error: unknown): boolean {
  const { kind } = classifyAwsError(error);
  return kind === 'throttled' || kind === 'retryable';
}

/** "Name (HTTP 400): message", for error messages and alerts. */
export function describeAwsError(error: unknown): string {
  const { name, status, message } = classifyAwsError(error);
  return `${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`;
}
