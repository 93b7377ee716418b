import type { NotationRecord } from '../decision/types';
import type { ReasonCode } from '../reasons';

/** A container that failed the policy, as the task owner needs to see it. */
export interface FailingContainer {
  name: string;
  image: string;
  digest?: string;
  outcome: 'deny' | 'error';
  reason: ReasonCode;
  message: string;
  rule?: string;
  /** The digest was resolved from the tag by the guard (DIGEST_UNCONFIRMED): not proof of what runs. */
  unconfirmed?: boolean;
  /** An exemption covered this container but had expired: it was ignored (EXEMPTION_EXPIRED). */
  expiredExemption?: NoticeExemption;
  /** The rules trust Notation signers (AWS Signer, X.509): what their signatures showed. */
  notation?: NotationRecord;
}

/** The exemption an alert names (from the policy's `exemptions`). */
export interface NoticeExemption {
  /** `exemptions[0] (ticket SEC-4471)`. */
  label: string;
  until: string;
  reason: string;
}

/** A container allowed only because an exemption covers it (EXEMPTED): its owners hear of each use. */
export interface ExemptedContainer {
  name: string;
  image: string;
  digest?: string;
  /** What the decision would have been without the exemption, e.g. `deny NO_SIGNATURES`. */
  message: string;
  exemption: NoticeExemption;
}

/** Everything an alert or a StopTask reason says about one task decision. */
export interface TaskNotice {
  decisionId: string;
  /** What was done: `stop` in enforce mode, `alert` in audit mode or onError=alert. */
  action: 'stop' | 'alert';
  mode: 'enforce' | 'audit';
  /** True when the task was (or is being) stopped; false for "would have stopped" / alert-only. */
  stopped: boolean;
  /** Set when StopTask was attempted and failed (the alert says so instead of claiming a stop). */
  stopError?: string;
  account?: string;
  region?: string;
  clusterArn: string;
  clusterName: string;
  service?: string;
  taskDefinition: string;
  taskArn: string;
  failing: FailingContainer[];
  /** Containers allowed by an exemption; a notice with only these is an "exemption used" alert. */
  exempted?: ExemptedContainer[];
  /**
   * The decision rests on digests the guard resolved itself (reason DIGEST_UNCONFIRMED), not ones ECS
   * reported: an alert only, never a stop; the alert says the digest is unconfirmed, and the guard claims
   * it apart from the task's own alert (enforcer.ts ledgerKey).
   */
  unconfirmed?: boolean;
  /**
   * The ledger key of this notice's stop and alert claims, when not the task's own (the sweep claims a
   * changed decision apart, so its alert is not taken for a duplicate of the first one).
   */
  ledgerKey?: string;
}
