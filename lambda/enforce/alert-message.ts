import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import type { AlertKind } from './alert-group';
import { explain } from './explain';
import type { FailingContainer, TaskNotice } from './notice';
import { toPrintableAscii, truncateMiddle } from './text';

/** SNS: subjects are at most 100 printable ASCII characters, with no line breaks. */
export const SUBJECT_MAX = 100;

export interface AlertMessage {
  subject: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

/** What actually happened to the task, as the enforcer saw it (not what the policy asked for). */
export interface AlertFacts {
  kind: AlertKind;
  /** For `stopped`: ECS found the task already stopped or gone (nothing left to stop). */
  alreadyStopped?: boolean;
  /** For `stop-failed`: why StopTask failed (AWS's words). */
  stopError?: string;
  /** Tasks of the same group counted, not emailed, since the group's previous email. */
  counted?: { count: number; since: number };
}

/** The facts a notice implies on its own (before the enforcer knows more). */
export function noticeFacts(notice: TaskNotice): AlertFacts {
  if (notice.stopError) return { kind: 'stop-failed', stopError: notice.stopError };
  if (notice.stopped) return { kind: 'stopped' };
  if (notice.mode === 'audit' && notice.failing.some((c) => c.outcome === 'deny'))
    return { kind: 'would-stop' };
  if (notice.failing.length === 0 && (notice.exempted?.length ?? 0) > 0) return { kind: 'exempted' };
  return { kind: 'error' };
}

/** Outside text (names, images, messages, AWS error text): one line, capped. */
const shown = (value: string | undefined, max?: number): string => untrustedText(value ?? '', max);

function headline(notice: TaskNotice, facts: AlertFacts): string {
  const base =
    facts.kind === 'stopped'
      ? facts.alreadyStopped
        ? 'Task already stopped'
        : 'Stopped task'
      : facts.kind === 'stop-failed'
        ? 'FAILED to stop task'
        : facts.kind === 'would-stop'
          ? 'Would have stopped task'
          : facts.kind === 'exempted'
            ? 'Exemption used for task'
            : 'Alert for task';
  if (notice.unconfirmed) return `${base} (unconfirmed digest)`;
  return notice.failing.some((c) => c.expiredExemption) ? `${base} (exemption expired)` : base;
}

export function alertSubject(notice: TaskNotice, facts: AlertFacts = noticeFacts(notice)): string {
  const cluster = shown(notice.clusterName, 100);
  const where = notice.service ? `${cluster}/${shown(notice.service, 100)}` : cluster;
  const first = notice.failing[0];
  const exempted = notice.exempted?.[0];
  const what = first
    ? `${first.reason} (${shown(first.name, 100)})`
    : exempted
      ? `EXEMPTED (${shown(exempted.name, 100)})`
      : 'policy failure';
  const more = facts.counted ? ` +${facts.counted.count} more` : '';
  const text = toPrintableAscii(`[image-guard] ${headline(notice, facts)} in ${where}: ${what}${more}`);
  return truncateMiddle(text, SUBJECT_MAX);
}

function verdict(notice: TaskNotice, facts: AlertFacts): string {
  const denied = notice.failing.some((c) => c.outcome === 'deny');
  switch (facts.kind) {
    case 'stopped':
      return facts.alreadyStopped
        ? 'ecs-image-guard decided to STOP this task because a container image failed signature verification; ECS reports the task was already stopped (or gone).'
        : 'ecs-image-guard STOPPED this task because a container image failed signature verification.';
    case 'stop-failed':
      return `ecs-image-guard tried to stop this task and FAILED (${shown(facts.stopError, 500)}). The task may still be running.`;
    case 'would-stop':
      return 'ecs-image-guard is in AUDIT mode: it WOULD HAVE STOPPED this task. Nothing was stopped.';
    case 'exempted':
      return 'ecs-image-guard let this task run because a policy EXEMPTION (break-glass) covers it; without the exemption it would have been denied or failed.';
    default:
      // Only a denial "would have stopped" the task; an audit-mode error is reported as what it is.
      return notice.mode === 'audit' && !denied
        ? 'ecs-image-guard could not verify this task; in AUDIT mode nothing is stopped, so it was left running.'
        : 'ecs-image-guard could not verify this task; by policy (onError: alert) it was left running.';
  }
}

export function alertBody(notice: TaskNotice, facts: AlertFacts = noticeFacts(notice)): string {
  const lines: string[] = [verdict(notice, facts)];
  if (notice.unconfirmed) {
    lines.push(
      'The digest was UNCONFIRMED: ECS did not report it, image-guard resolved the tag itself, so the task may run another image than the one checked.',
    );
  }
  const expired = notice.failing.filter((c) => c.expiredExemption);
  if (expired.length > 0) {
    lines.push(
      `An exemption covering ${expired.length === 1 ? 'a container' : 'containers'} of this task has EXPIRED and was IGNORED: the task was decided as if it did not exist.`,
    );
  }
  if (facts.counted) {
    const since = new Date(facts.counted.since).toISOString();
    lines.push(
      `${facts.counted.count} more task(s) of this service/family with the same container and digest failed since ${since}; they were handled the same way and counted, not emailed one by one.`,
    );
  }
  lines.push('');
  lines.push(`Cluster:          ${shown(notice.clusterName)}`);
  if (notice.service) lines.push(`Service:          ${shown(notice.service)}`);
  lines.push(`Task definition:  ${shown(notice.taskDefinition)}`);
  lines.push(`Task:             ${shown(notice.taskArn)}`);
  if (notice.region || notice.account)
    lines.push(`Account/region:   ${shown(notice.account ?? '?')} / ${shown(notice.region ?? '?')}`);
  lines.push(`Mode:             ${notice.mode}`);
  lines.push(`Decision id:      ${shown(notice.decisionId)}`);
  if (notice.failing.length > 0) lines.push('', `Failing container(s):`);
  for (const c of notice.failing) {
    lines.push(
      `- ${shown(c.name)}`,
      `    image:  ${shown(c.image, 1024)}`,
      `    digest: ${c.digest ? shown(c.digest) : '(unknown)'}`,
      `    result: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${shown(c.rule)}")` : ''}`,
      `    why:    ${explain(c.reason)}`,
      `    detail: ${shown(c.message, 500)}`,
      ...notationLines(c),
    );
    if (c.expiredExemption) {
      lines.push(
        `    exemption: EXPIRED at ${shown(c.expiredExemption.until)}, ignored: ${shown(c.expiredExemption.label)}`,
      );
    }
  }
  const exempted = notice.exempted ?? [];
  if (exempted.length > 0) lines.push('', 'Container(s) allowed by an exemption:');
  for (const c of exempted) {
    lines.push(
      `- ${shown(c.name)}`,
      `    image:     ${shown(c.image, 1024)}`,
      `    digest:    ${c.digest ? shown(c.digest) : '(unknown)'}`,
      `    result:    allow EXEMPTED`,
      `    exemption: ${shown(c.exemption.label)}, until ${shown(c.exemption.until)}`,
      `    reason:    ${shown(c.exemption.reason, 500)}`,
      `    detail:    ${shown(c.message, 500)}`,
    );
  }
  if (facts.kind === 'exempted') {
    lines.push(
      '',
      'What to do:',
      '- Sign the image (or fix what failed) and remove the exemption from the policy; it stops applying at its until.',
      '- Ask what the task would get without it:',
      '    npx image-guard check --policy <policy.yaml> --event <saved-event.json>',
      `- Find this decision in CloudWatch Logs Insights: filter decisionId = "${shown(notice.decisionId)}"`,
    );
    return lines.join('\n');
  }
  const example = notice.failing.find((c) => c.digest) ?? notice.failing[0];
  const pinned = example
    ? `${shown(example.image, 1024).split('@')[0]}@${example.digest ? shown(example.digest) : '<digest>'}`
    : '<image>@<digest>';
  lines.push('', 'What to do:');
  // cosign advice unless every failing container's rules trust only Notation signers.
  if (notice.failing.some((c) => !c.notation || c.notation.cosign)) {
    lines.push(
      '- Sign the exact image digest with a key the policy trusts, e.g.',
      `    cosign sign --key awskms:///<your-key-alias> ${pinned}`,
      '- Check it before you deploy again:',
      `    npx image-guard verify ${pinned} --key awskms:///<your-key-alias>`,
    );
  }
  lines.push(...notationAdvice(notice.failing, pinned));
  lines.push(
    '- Ask why this task was decided so, against the same policy:',
    '    npx image-guard check --policy <policy.yaml> --event <saved-event.json>',
    `- Find this decision in CloudWatch Logs Insights: filter decisionId = "${shown(notice.decisionId)}"`,
  );
  return lines.join('\n');
}

/** At most this many Notation signatures are described per container. */
const MAX_NOTATION_SHOWN = 3;

/** What each Notation signature showed: format, who, when, until when, revocation. */
function notationLines(c: FailingContainer): string[] {
  if (!c.notation) return [];
  if (c.notation.signatures.length === 0) {
    return [
      `    notation: no Notation signature found (trusted signers: ${shown(c.notation.signers.join(', '), 300)})`,
    ];
  }
  const lines = c.notation.signatures.slice(0, MAX_NOTATION_SHOWN).map((s) => {
    const who = s.identity ?? s.signer ?? 'an untrusted signer';
    const when = s.signingTime ? `, signed ${shown(s.signingTime)}` : '';
    const until = s.expiry ? `, expires ${shown(s.expiry)}` : '';
    const revocation =
      s.revocation === 'not-checked'
        ? 'revocation not checked'
        : s.revocation === null
          ? 'revocation not asked'
          : s.revocation;
    return `    notation: ${s.format} by ${shown(who, 300)}${when}${until}; ${revocation}; ${s.reason}`;
  });
  const more = c.notation.signatures.length - MAX_NOTATION_SHOWN;
  return more > 0 ? [...lines, `    notation: ${more} more Notation signature(s)`] : lines;
}

/** "What to do" for rules that trust Notation signers: AWS Signer (revoked, expired, wrong profile) and X.509. */
function notationAdvice(failing: readonly FailingContainer[], pinned: string): string[] {
  const notation = failing.flatMap((c) => (c.notation ? [c.notation] : []));
  if (notation.length === 0) return [];
  const signatures = notation.flatMap((n) => n.signatures);
  const lines: string[] = [];
  if (notation.some((n) => n.awsSigner)) {
    const revoked =
      failing.some((c) => c.reason === ReasonCode.REVOKED) ||
      signatures.some((s) => s.revocation === 'revoked');
    const expired = signatures.some((s) => s.failedCheck === 'expiry');
    const wrongProfile = signatures.some((s) => s.failedCheck === 'trustedIdentity');
    const unavailable = failing.some((c) => c.reason === ReasonCode.REVOCATION_UNAVAILABLE);
    const signers = [...new Set(notation.flatMap((n) => n.signers))].join(', ');
    lines.push('- Sign the image again with an ACTIVE AWS Signer signing profile the policy trusts, e.g.');
    if (revoked) {
      lines.push(
        '    (its signing profile, profile version or signing job is REVOKED: a revoked profile or version cannot be used again; sign with an active one)',
      );
    }
    if (expired)
      lines.push(
        "    (the signature has EXPIRED at the end of its signing profile's validity period: sign again)",
      );
    if (wrongProfile) {
      lines.push(
        `    (it was signed with a signing profile this rule does not trust; trusted signers: ${shown(signers, 300)})`,
      );
    }
    lines.push(
      `    notation sign --plugin com.amazonaws.signer.notation.plugin --id <signing-profile-arn> ${pinned}`,
      '- Check it before you deploy again:',
      `    npx image-guard verify ${pinned} --aws-signer-profile <signing-profile-arn>`,
    );
    if (unavailable) {
      lines.push(
        "- AWS Signer could not be asked about revocation: check that the guard's role may call signer:GetRevocationStatus, then deploy again.",
      );
    }
  }
  if (notation.some((n) => !n.awsSigner)) {
    lines.push(
      '- Sign the exact image digest with a Notation certificate the policy trusts, e.g.',
      `    notation sign --key <your-key-name> ${pinned}`,
    );
  }
  return lines;
}

/** The `result` attribute: what happened to the task (`action` keeps its first meaning). */
function resultAttribute(facts: AlertFacts): string {
  if (facts.kind === 'stopped' && facts.alreadyStopped) return 'already-stopped';
  return facts.kind;
}

/** Attributes subscribers can filter on (SNS subscription filter policies). */
export function alertAttributes(
  notice: TaskNotice,
  facts: AlertFacts = noticeFacts(notice),
): Record<string, MessageAttributeValue> {
  const first = notice.failing[0];
  const exempted = facts.kind === 'exempted';
  const outcome = exempted ? 'allow' : notice.failing.some((c) => c.outcome === 'deny') ? 'deny' : 'error';
  const attributes: Record<string, string> = {
    cluster: shown(notice.clusterName),
    outcome,
    mode: notice.mode,
    action: facts.kind === 'stopped' ? 'stopped' : 'alerted',
    result: resultAttribute(facts),
    reason: first?.reason ?? (exempted ? 'EXEMPTED' : 'UNKNOWN'),
  };
  if (notice.service) attributes.service = shown(notice.service);
  // `used`: an exemption let a container through; `expired`: one was ignored because it had expired.
  if ((notice.exempted?.length ?? 0) > 0) attributes.exemption = 'used';
  else if (notice.failing.some((c) => c.expiredExemption)) attributes.exemption = 'expired';
  if (notice.unconfirmed) attributes.digest = 'unconfirmed';
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [
      k,
      { DataType: 'String', StringValue: truncateMiddle(v, 256) },
    ]),
  );
}

export function alertMessage(notice: TaskNotice, facts: AlertFacts = noticeFacts(notice)): AlertMessage {
  return {
    subject: alertSubject(notice, facts),
    body: alertBody(notice, facts),
    attributes: alertAttributes(notice, facts),
  };
}
