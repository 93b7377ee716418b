/**
 * A fake of SNS Publish (awsQuery: form-encoded `Action=Publish&Version=2010-03-31&…`, XML answers)
 * for one topic; any other topic is NotFound, as SNS answers it.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { ApiFault, startApiServer, type ApiServer } from './aws-api-server';

export interface Published {
  topicArn: string;
  subject: string | undefined;
  message: string;
  messageId: string;
}

export interface SnsFake extends ApiServer {
  readonly topicArn: string;
  readonly published: Published[];
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export async function startSnsFake(topicArn: string): Promise<SnsFake> {
  const published: Published[] = [];
  const server = await startApiServer({
    decode(req: http.IncomingMessage, body: string) {
      const form = new URLSearchParams(body);
      const input: Record<string, unknown> = Object.fromEntries(form.entries());
      if (req.method !== 'POST' || form.get('Version') !== '2010-03-31') {
        throw new ApiFault(400, 'InvalidAction', 'not an SNS 2010-03-31 query request');
      }
      return { operation: form.get('Action') ?? '', input };
    },
    encode(res, outcome) {
      const requestId = randomUUID();
      res.setHeader('content-type', 'text/xml');
      if ('fault' in outcome) {
        res.writeHead(outcome.fault.status);
        res.end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${outcome.fault.type}</Code>` +
            `<Message>${escapeXml(outcome.fault.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
        return;
      }
      const { messageId } = outcome.result as { messageId: string };
      res.writeHead(200);
      res.end(
        `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    },
    answer(call) {
      if (call.operation !== 'Publish') {
        throw new ApiFault(400, 'InvalidAction', `the SNS fake does not implement ${call.operation}`);
      }
      const input = call.input as Record<string, string | undefined>;
      if (input.TopicArn !== topicArn) throw new ApiFault(404, 'NotFound', 'Topic does not exist');
      if (!input.Message) throw new ApiFault(400, 'InvalidParameter', 'Invalid parameter: Message');
      const messageId = randomUUID();
      published.push({ topicArn, subject: input.Subject, message: input.Message, messageId });
      return { messageId };
    },
  });
  return { ...server, topicArn, published };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
