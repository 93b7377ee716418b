/**
 * What the guard remembers about a task it decided for good: the policy hash it was decided under,
 * when, the digests it judged and the decision's fingerprint. Written by the event path and by the
 * sweep; the sweep skips a task whose final decision is still current (same policy hash, younger than
 * the re-check age, same digests).
 *
 * A decision is final only when every container has an answer that does not depend on the guard's
 * own guesswork: an `error` is asked again, and a digest the guard resolved from the tag itself
 * (DIGEST_UNCONFIRMED) is not proof of what runs.
 */
import { createHash } from 'node:crypto';
import type { TaskDecision } from '../decision/decide-task';
import type { ContainerResult } from '../decision/record';
import { ReasonCode } from '../reasons';

export interface FinalDecision {
  taskArn: string;
  policySha256: string;
  /** Epoch ms of the decision. */
  decidedAt: number;
  /** Container name → digest judged (containers without a digest are absent). */
  digests: Record<string, string>;
  /** `pass`: nothing to act on; `fail`: some container was denied (alerted or stopped). */
  outcome: 'pass' | 'fail';
  /** Same fingerprint, same decision: its alert is not repeated (see `decisionFingerprint`). */
  fingerprint: string;
  /** Alert groups of the failing containers: the sweep reports their closed windows. */
  alertGroups: string[];
  /**
   * Epoch ms when the decision stops holding: the earliest `until` of the exemptions it allowed a
   * container by. The sweep decides the task again from then on, so a break-glass allowance ends with
   * its exemption, not up to a re-check age later.
   */
  validUntil?: number;
}

/** The final decision of a task, or undefined when some container's answer is not final. */
export function finalDecisionOf(input: {
  taskArn: string;
  policySha256: string;
  decidedAt: number;
  decision: TaskDecision;
  containers: readonly ContainerResult[];
  alertGroups?: ReadonlyMap<string, string>;
}): FinalDecision | undefined {
  const notFinal = input.containers.some(
    (c) =>
      c.decision.outcome === 'error' ||
      c.decision.reason === ReasonCode.DIGEST_UNCONFIRMED ||
      c.digestSource === 'resolved',
  );
  if (notFinal) return undefined;
  const digests: Record<string, string> = {};
  for (const c of input.containers) if (c.digest !== undefined) digests[c.name] = c.digest;
  const exemptedUntil = input.containers
    .filter((c) => c.decision.exemption?.status === ReasonCode.EXEMPTED)
    .map((c) => Date.parse(c.decision.exemption?.until ?? ''));
  // An unreadable `until` (the policy validated it, so never in practice) ends the decision at once.
  const validUntil =
    exemptedUntil.length === 0 ? undefined : Math.min(...exemptedUntil.map((t) => (Number.isNaN(t) ? 0 : t)));
  return {
    taskArn: input.taskArn,
    policySha256: input.policySha256,
    decidedAt: input.decidedAt,
    digests,
    outcome: input.containers.some((c) => c.decision.outcome === 'deny') ? 'fail' : 'pass',
    fingerprint: decisionFingerprint(input.decision, input.containers),
    alertGroups: [...new Set(input.alertGroups?.values() ?? [])].sort(),
    ...(validUntil === undefined ? {} : { validUntil }),
  };
}

/**
 * What the task's owners were told, independent of the policy's hash: the action and, per container,
 * digest, outcome and reason. A policy change that leaves it equal is no news.
 */
export function decisionFingerprint(
  decision: Pick<TaskDecision, 'action' | 'mode'>,
  containers: readonly ContainerResult[],
): string {
  const parts = [...containers]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => [c.name, c.digest ?? '', c.decision.outcome, c.decision.reason]);
  return createHash('sha256')
    .update(JSON.stringify([decision.action, decision.mode, parts]))
    .digest('hex')
    .slice(0, 32);
}
