import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { explain } from './explain';
import type { TaskNotice } from './notice';
import { toPrintableAscii, truncateMiddle } from './text';

/** SNS: subjects are at most 100 printable ASCII characters, with no line breaks. */
export const SUBJECT_MAX = 100;

export interface AlertMessage {
  subject: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

function headline(notice: TaskNotice): string {
  if (notice.stopped) return 'Stopped task';
  if (notice.stopError) return 'FAILED to stop task';
  if (notice.mode === 'audit' && notice.failing.some((c) => c.outcome === 'deny'))
    return 'Would have stopped task';
  return 'Alert for task';
}

export function alertSubject(notice: TaskNotice): string {
  const where = notice.service ? `${notice.clusterName}/${notice.service}` : notice.clusterName;
  const first = notice.failing[0];
  const what = first ? `${first.reason} (${first.name})` : 'policy failure';
  const text = toPrintableAscii(`[image-guard] ${headline(notice)} in ${where}: ${what}`);
  return truncateMiddle(text, SUBJECT_MAX);
}

export function alertBody(notice: TaskNotice): string {
  const lines: string[] = [];
  // Only a denial "would have stopped" the task; an audit-mode error is reported as what it is.
  const denied = notice.failing.some((c) => c.outcome === 'deny');
  const verdict = notice.stopped
    ? 'ecs-image-guard STOPPED this task because a container image failed signature verification.'
    : notice.stopError
      ? `ecs-image-guard tried to stop this task and FAILED (${notice.stopError}). The task may still be running.`
      : notice.mode === 'audit' && denied
        ? 'ecs-image-guard is in AUDIT mode: it WOULD HAVE STOPPED this task. Nothing was stopped.'
        : notice.mode === 'audit'
          ? 'ecs-image-guard could not verify this task; in AUDIT mode nothing is stopped, so it was left running.'
          : 'ecs-image-guard could not verify this task; by policy (onError: alert) it was left running.';
  lines.push(verdict, '');
  lines.push(`Cluster:          ${notice.clusterName}`);
  if (notice.service) lines.push(`Service:          ${notice.service}`);
  lines.push(`Task definition:  ${notice.taskDefinition}`);
  lines.push(`Task:             ${notice.taskArn}`);
  if (notice.region || notice.account)
    lines.push(`Account/region:   ${notice.account ?? '?'} / ${notice.region ?? '?'}`);
  lines.push(`Mode:             ${notice.mode}`);
  lines.push(`Decision id:      ${notice.decisionId}`, '');
  lines.push(`Failing container(s):`);
  for (const c of notice.failing) {
    lines.push(
      `- ${c.name}`,
      `    image:  ${c.image}`,
      `    digest: ${c.digest ?? '(unknown)'}`,
      `    result: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${c.rule}")` : ''}`,
      `    why:    ${explain(c.reason)}`,
      `    detail: ${c.message}`,
    );
  }
  const example = notice.failing.find((c) => c.digest) ?? notice.failing[0];
  const pinned = example
    ? `${example.image.split('@')[0]}@${example.digest ?? '<digest>'}`
    : '<image>@<digest>';
  lines.push(
    '',
    'What to do:',
    '- Sign the exact image digest with a key the policy trusts, e.g.',
    `    cosign sign --key awskms:///<your-key-alias> ${pinned}`,
    '- Check it before you deploy again:',
    `    npx image-guard verify ${pinned} --key awskms:///<your-key-alias>`,
    '- Ask why this task was decided so, against the same policy:',
    '    npx image-guard check --policy <policy.yaml> --event <saved-event.json>',
    `- Find this decision in CloudWatch Logs Insights: filter decisionId = "${notice.decisionId}"`,
  );
  return lines.join('\n');
}

/** Attributes subscribers can filter on (SNS subscription filter policies). */
export function alertAttributes(notice: TaskNotice): Record<string, MessageAttributeValue> {
  const first = notice.failing[0];
  const outcome = notice.failing.some((c) => c.outcome === 'deny') ? 'deny' : 'error';
  const attributes: Record<string, string> = {
    cluster: notice.clusterName,
    outcome,
    mode: notice.mode,
    action: notice.stopped ? 'stopped' : 'alerted',
    reason: first?.reason ?? 'UNKNOWN',
  };
  if (notice.service) attributes.service = notice.service;
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [
      k,
      { DataType: 'String', StringValue: truncateMiddle(v, 256) },
    ]),
  );
}

export function alertMessage(notice: TaskNotice): AlertMessage {
  return { subject: alertSubject(notice), body: alertBody(notice), attributes: alertAttributes(notice) };
}
