/**
 * The sweep's own alerts, one email each per run at most: the tasks its stop budget left running, and
 * the alert groups whose window closed with tasks counted but never reported. Outside text (names,
 * images, reasons) goes through untrustedText, like every alert.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Sender } from '../aws/lazy-client';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry';
import type { FailingContainer } from '../enforce/notice';
import { SUBJECT_MAX } from '../enforce/alert-message';
import { untrustedText } from '../text/untrusted-text';

/** Tasks named one by one in a summary; the rest are counted (the records list every one). */
export const SUMMARY_TASKS_LISTED = 50;

export interface DeferredStop {
  clusterName: string;
  service?: string;
  taskArn: string;
  failing: readonly FailingContainer[];
}

export interface ClosedWindow {
  groupKey: string;
  label?: string;
  counted: number;
  since: number;
}

export function budgetSummaryMessage(
  deferred: readonly DeferredStop[],
  stopBudget: number,
  runId: string,
): { subject: string; body: string } {
  const lines = [
    `The image guard's sweep found ${deferred.length} running task(s) that the policy would stop, beyond this`,
    `run's stop budget of ${stopBudget} (policy sweep.maxStopsPerRun). They were NOT stopped; the next runs`,
    'stop them within the budget, unless the policy or the images change first.',
    'If this follows a key removal or a policy change, check the change before the next run.',
    '',
    `Sweep run: ${runId}`,
    '',
  ];
  for (const task of deferred.slice(0, SUMMARY_TASKS_LISTED)) {
    const where = `${untrustedText(task.clusterName)}${task.service ? ` / service ${untrustedText(task.service)}` : ''}`;
    lines.push(`- ${where}: ${untrustedText(task.taskArn)}`);
    for (const c of task.failing) {
      lines.push(
        `    ${untrustedText(c.name)}: ${untrustedText(c.image)} (${c.reason}) ${untrustedText(c.message)}`,
      );
    }
  }
  if (deferred.length > SUMMARY_TASKS_LISTED)
    lines.push(
      `… and ${deferred.length - SUMMARY_TASKS_LISTED} more (see the decision records of this run).`,
    );
  return {
    subject: `ecs-image-guard sweep: ${deferred.length} task(s) not stopped (stop budget)`.slice(
      0,
      SUBJECT_MAX,
    ),
    body: lines.join('\n'),
  };
}

export function closedWindowsMessage(windows: readonly ClosedWindow[]): { subject: string; body: string } {
  const lines = [
    'Tasks were counted in these alert groups after their last email, and the grouping window has closed',
    'without a new email. Each count is reported once.',
    '',
  ];
  for (const w of windows) {
    lines.push(
      `- ${untrustedText(w.label ?? w.groupKey)}: ${w.counted} more task(s) since ${new Date(w.since).toISOString()}`,
    );
  }
  return {
    subject: `ecs-image-guard: ${windows.length} alert group(s) with unreported tasks`.slice(0, SUBJECT_MAX),
    body: lines.join('\n'),
  };
}

export async function publishSweepMessage(
  sns: Sender<SNSClient>,
  topicArn: string,
  message: { subject: string; body: string },
  kind: 'sweep-budget' | 'sweep-windows',
  retry: Partial<RetryOptions> = {},
): Promise<string | undefined> {
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  const out = await withRetry(
    () =>
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: message.subject,
          Message: message.body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: kind } },
        }),
      ),
    { ...DEFAULT_RETRY, ...retry },
  );
  return out.MessageId;
}
