import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { alertMessage } from './alert-message';
import type { TaskNotice } from './notice';

export async function publishAlert(
  sns: Sender<SNSClient>,
  topicArn: string,
  notice: TaskNotice,
): Promise<string | undefined> {
  const message = alertMessage(notice);
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  try {
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: message.attributes,
      }),
    );
    return out.MessageId;
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    throw new GuardError(ReasonCode.INTERNAL_ERROR, `SNS Publish failed: ${name}: ${(e as Error).message}`, {
      retryable: true,
      cause: e,
    });
  }
}
