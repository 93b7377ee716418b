/**
 * The hook's SNS alert, in the task alert's format (enforce/alert-message.ts): a subject naming what
 * happened, where and the first reason; a body with the verdict, where (cluster, service, revision,
 * deployment, task definition), the failing containers (image, digest, result, why, detail) and what
 * to do; the same filterable attributes (`cluster`, `service`, `outcome`, `mode`, `action`, `result`,
 * `reason`). Outside text goes through untrustedText, like every alert.
 */
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { describeAwsError } from '../aws/aws-error';
import type { Sender } from '../aws/lazy-client';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry';
import type { ContainerResult } from '../decision/record';
import { explain } from '../enforce/explain';
import { toPrintableAscii, truncateMiddle } from '../enforce/text';
import type { Mode } from '../policy/schema';
import type { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import type { HookStatus } from './hook-answer';

export interface RolloutNotice {
  decisionId: string;
  hookStatus: Exclude<HookStatus, 'IN_PROGRESS'>;
  mode: Mode;
  cluster?: string;
  service?: string;
  serviceRevisionArn?: string;
  serviceDeploymentArn?: string;
  taskDefinitionArn?: string;
  /** Denied and failed containers. */
  failing: readonly ContainerResult[];
  /** A failure before any container was decided. */
  problem?: { reason: ReasonCode; message: string };
}

const shown = (value: string | undefined, max?: number): string => untrustedText(value ?? '', max);

function failingOf(notice: RolloutNotice): Array<{
  name: string;
  image?: string;
  digest?: string;
  outcome: string;
  reason: ReasonCode;
  rule?: string;
  message: string;
}> {
  const containers = notice.failing.map((c) => ({
    name: c.name,
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(c.digest !== undefined ? { digest: c.digest } : {}),
    outcome: c.decision.outcome,
    reason: c.decision.reason,
    ...(c.decision.rule !== undefined ? { rule: c.decision.rule } : {}),
    message: c.decision.message,
  }));
  return containers;
}

function headline(notice: RolloutNotice): string {
  const denied = notice.failing.some((c) => c.decision.outcome === 'deny');
  if (notice.hookStatus === 'FAILED') return 'Refused rollout';
  return denied ? 'Would have refused rollout' : 'Alert for rollout';
}

export function rolloutAlertSubject(notice: RolloutNotice): string {
  const cluster = shown(notice.cluster ?? '?', 100);
  const where = notice.service ? `${cluster}/${shown(notice.service, 100)}` : cluster;
  const first = notice.failing[0];
  const what = first
    ? `${first.decision.reason} (${shown(first.name, 100)})`
    : (notice.problem?.reason ?? 'policy failure');
  return truncateMiddle(toPrintableAscii(`[image-guard] ${headline(notice)} in ${where}: ${what}`), 100);
}

function verdict(notice: RolloutNotice): string {
  const denied = notice.failing.some((c) => c.decision.outcome === 'deny');
  if (notice.hookStatus === 'FAILED')
    return denied
      ? 'ecs-image-guard REFUSED this deployment before any task of it started: a container image failed signature verification. ECS rolls the deployment back.'
      : 'ecs-image-guard REFUSED this deployment: the images could not be verified and the policy says onError: stop. ECS rolls the deployment back.';
  if (denied)
    return 'ecs-image-guard is in AUDIT mode: it WOULD HAVE REFUSED this deployment. The deployment goes ahead.';
  return 'ecs-image-guard could not verify this deployment; by policy (onError: alert) it goes ahead.';
}

export function rolloutAlertBody(notice: RolloutNotice): string {
  const lines = [verdict(notice), ''];
  lines.push(`Cluster:          ${shown(notice.cluster ?? '(unknown)')}`);
  lines.push(`Service:          ${shown(notice.service ?? '(unknown)')}`);
  lines.push(`Service revision: ${shown(notice.serviceRevisionArn ?? '(unknown)')}`);
  lines.push(`Deployment:       ${shown(notice.serviceDeploymentArn ?? '(unknown)')}`);
  if (notice.taskDefinitionArn) lines.push(`Task definition:  ${shown(notice.taskDefinitionArn)}`);
  lines.push(`Mode:             ${notice.mode}`);
  lines.push(`Decision id:      ${shown(notice.decisionId)}`, '');
  if (notice.problem) {
    lines.push(`Problem: ${notice.problem.reason}`, `    detail: ${shown(notice.problem.message, 500)}`, '');
  }
  const failing = failingOf(notice);
  if (failing.length > 0) lines.push('Failing container(s):');
  for (const c of failing) {
    lines.push(
      `- ${shown(c.name)}`,
      `    image:  ${shown(c.image ?? '(no image)', 1024)}`,
      `    digest: ${c.digest ? shown(c.digest) : '(unknown)'}`,
      `    result: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${shown(c.rule)}")` : ''}`,
      `    why:    ${explain(c.reason)}`,
      `    detail: ${shown(c.message, 500)}`,
    );
  }
  const example = failing.find((c) => c.digest && c.image) ?? failing[0];
  const pinned = example?.image
    ? `${shown(example.image, 1024).split('@')[0]}@${example.digest ? shown(example.digest) : '<digest>'}`
    : '<image>@<digest>';
  lines.push(
    '',
    'What to do:',
    '- Sign the exact image digest with a key the policy trusts, e.g.',
    `    cosign sign --key awskms:///<your-key-alias> ${pinned}`,
    '- Check it before you deploy again:',
    `    npx image-guard verify ${pinned} --key awskms:///<your-key-alias>`,
    '- Ask what the hook would answer for this revision, against the same policy:',
    '    npx image-guard check --policy <policy.yaml> --hook-payload <payload.json> --service-revision <revision.json>',
    `- Find this decision in CloudWatch Logs Insights: filter decisionId = "${shown(notice.decisionId)}"`,
  );
  return lines.join('\n');
}

export function rolloutAlertAttributes(notice: RolloutNotice): Record<string, MessageAttributeValue> {
  const first = notice.failing[0];
  const denied = notice.failing.some((c) => c.decision.outcome === 'deny');
  const attributes: Record<string, string> = {
    cluster: shown(notice.cluster ?? 'unknown'),
    outcome: denied ? 'deny' : 'error',
    mode: notice.mode,
    action: notice.hookStatus === 'FAILED' ? 'refused' : 'alerted',
    result: notice.hookStatus === 'FAILED' ? 'rollout-refused' : denied ? 'would-refuse' : 'error',
    reason: first?.decision.reason ?? notice.problem?.reason ?? 'UNKNOWN',
    trigger: 'deployment-hook',
  };
  if (notice.service) attributes.service = shown(notice.service);
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [
      k,
      { DataType: 'String', StringValue: truncateMiddle(v, 256) },
    ]),
  );
}

/** Publishes the rollout alert; throttling and server errors are retried within the deadline. Throws on failure. */
export async function publishRolloutAlert(
  sns: Sender<SNSClient>,
  topicArn: string,
  notice: RolloutNotice,
  retry: Partial<RetryOptions> = {},
): Promise<string | undefined> {
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  try {
    const out = await withRetry(
      () =>
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: rolloutAlertSubject(notice),
            Message: rolloutAlertBody(notice),
            MessageAttributes: rolloutAlertAttributes(notice),
          }),
        ),
      { ...DEFAULT_RETRY, ...retry },
    );
    return out.MessageId;
  } catch (e) {
    throw new Error(`SNS Publish failed: ${describeAwsError(e)}`, { cause: e });
  }
}
