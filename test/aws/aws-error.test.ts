import { ECSServiceException, InvalidParameterException } from '@aws-sdk/client-ecs';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { SNSServiceException } from '@aws-sdk/client-sns';
import { classifyAwsError, describeAwsError, isRetryableAwsError } from '../../lambda/aws/aws-error';

const sdkError = (
  Exception: typeof ECSServiceException | typeof KMSServiceException | typeof SNSServiceException,
  name: string,
  status: number,
  message = 'm',
) =>
  new Exception({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });

describe('classifyAwsError', () => {
  it.each([
    [sdkError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded'), 'throttled'],
    [sdkError(SNSServiceException, 'Throttling', 400, 'Rate exceeded'), 'throttled'],
    [sdkError(KMSServiceException, 'LimitExceededException', 400), 'throttled'],
    [Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' }), 'throttled'],
    [sdkError(ECSServiceException, 'ServerException', 500), 'retryable'],
    [sdkError(SNSServiceException, 'InternalErrorException', 500), 'retryable'],
    [sdkError(KMSServiceException, 'KMSInternalException', 500), 'retryable'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retryable'],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'retryable'],
    [
      new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }),
      'not-found',
    ],
    [sdkError(ECSServiceException, 'ClusterNotFoundException', 400), 'not-found'],
    [sdkError(KMSServiceException, 'NotFoundException', 400), 'not-found'],
    [sdkError(ECSServiceException, 'AccessDeniedException', 400), 'access-denied'],
    [sdkError(SNSServiceException, 'AuthorizationErrorException', 403), 'access-denied'],
    [new InvalidParameterException({ message: 'Invalid identifier', $metadata: {} }), 'permanent'],
    [Object.assign(new Error('x'), { name: 'DisabledException' }), 'permanent'],
    [sdkError(ECSServiceException, 'SomeNewException', 429), 'throttled'],
    [sdkError(ECSServiceException, 'SomeNewException', 503), 'retryable'],
    [sdkError(ECSServiceException, 'SomeNewException', 400), 'permanent'],
  ])('%s → %s', (error, kind) => {
    expect(classifyAwsError(error).kind).toBe(kind);
  });

  it('treats a failure without any response as a network failure (retryable), unless the client was at fault', () => {
    expect(isRetryableAwsError(new Error('getaddrinfo EAI_AGAIN'))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error('bad'), { $fault: 'client' }))).toBe(false);
  });

  it('describes the error with its name and HTTP status', () => {
    expect(describeAwsError(sdkError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded'))).toBe(
      'ThrottlingException (HTTP 400): Rate exceeded',
    );
  });
});
