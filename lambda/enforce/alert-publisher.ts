import type { SNSClient } from '@aws-sdk/client-sns';
import { describeAwsError } from '../aws/aws-error';
import type { Sender } from '../aws/lazy-client';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { alertMessage, type AlertFacts } from './alert-message';
import type { TaskNotice } from './notice';

/** Publishes the alert; throttling and server errors are retried with back-off within the deadline. */
export async function publishAlert(
  sns: Sender<SNSClient>,
  topicArn: string,
  notice: TaskNotice,
  facts?: AlertFacts,
  retry: Partial<RetryOptions> = {},
): Promise<string | undefined> {
  const message = alertMessage(notice, facts);
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  try {
    const out = await withRetry(
      () =>
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: message.subject,
            Message: message.body,
            MessageAttributes: message.attributes,
          }),
        ),
      { ...DEFAULT_RETRY, ...retry },
    );
    return out.MessageId;
  } catch (e) {
    if (e instanceof GuardError) throw e;
    // Always worth Lambda's retry: an alert that never goes out must end in the dead-letter queue.
    throw new GuardError(ReasonCode.INTERNAL_ERROR, `SNS Publish failed: ${describeAwsError(e)}`, {
      retryable: true,
      cause: e,
    });
  }
}
