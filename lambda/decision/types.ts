/**
 * The audit records (docs/decision-record.md): one JSON log line per task decision, or one `ignored`
 * line for an event the guard does not act on. Field names are a contract (CloudWatch Logs queries,
 * the CLI's `check --json`); additions are allowed, renames are not.
 *
 * Every DESIGN field is always present; a value that does not exist is `null` (a RunTask task has no
 * service; a container whose digest could not be established has no digest), so every record has the
 * same shape. Additions beyond DESIGN: container `message` (why, in words) and task `actionError`
 * (the stop or alert that was attempted and failed).
 */
import type { ContainerOutcome } from '../policy/evaluate';
import type { Mode } from '../policy/schema';
import type { ReasonCode } from '../reasons';

/** What was done: `stopped` (StopTask succeeded), `alerted` (SNS only), `none`. */
export type DecisionAction = 'stopped' | 'alerted' | 'none';

/**
 * Where the judged digest came from: the event, DescribeTasks, the task's service revision, or the
 * tag resolved by the guard itself (`resolved`: unconfirmed, never a stop, see DIGEST_UNCONFIRMED).
 * `reference`: the deployment hook's digest pinned in the revision's image reference (`repo@sha256:…`).
 */
export type DigestSource = 'event' | 'describeTasks' | 'serviceRevision' | 'resolved' | 'reference';

/** What made the guard decide: a task state change event (the hook and the sweep add their own). */
export type DecisionTrigger = 'event' | 'deployment-hook' | 'sweep';

export interface ContainerRecord {
  name: string;
  /** null when the event names no image (AWS-injected agents; a broken container entry). */
  image: string | null;
  digest: string | null;
  digestSource: DigestSource | null;
  outcome: ContainerOutcome;
  reason: ReasonCode;
  rule: string | null;
  keys: string[];
  signaturesFound: number;
  cached: boolean;
  durationMs: number;
  /** Extension: the decision's explanation (capped in length). */
  message: string;
  /**
   * Extension: for a denied, failed or exempted container, the key of its alert group (cluster, service or task
   * family, container, digest): the same for every task of the group; null otherwise.
   */
  alertGroup: string | null;
  /**
   * Extension: the policy exemption that covered this container's deny or error: `status` EXEMPTED
   * (used: the container was allowed) or EXEMPTION_EXPIRED (ignored: decided as usual); null otherwise.
   */
  exemption: ExemptionRecord | null;
  /**
   * Extension, present only when the deciding rules trust a Notation signer (so a cosign-only
   * record keeps its shape): the Notation signatures examined and what each one showed.
   */
  notation?: NotationRecord;
  /**
   * Extension, present only for a service task whose revision the deployment hook approved: the digest
   * it approved for this container, and whether the task's digest differs from it (the tag moved
   * between the rollout's check and the pull; the task's digest was verified on its own).
   */
  approvedDigest?: string;
  digestDiffersFromApproved?: boolean;
}

/** Extension: an exemption as a container record names it (docs/decision-record.md). */
export interface ExemptionRecord {
  status: 'EXEMPTED' | 'EXEMPTION_EXPIRED';
  /** Position in the policy's `exemptions` list. */
  index: number;
  /** The exempted image (`registry/repository@digest`), or null for a service exemption. */
  image: string | null;
  service: string | null;
  clusters: string[];
  until: string;
  reason: string;
  ticket: string;
}

/** Extension: the Notation (AWS Signer, X.509) part of a container's verification. */
export interface NotationRecord {
  /** The rule's Notation signers, by name. */
  signers: string[];
  /** At least one of them is an AWS Signer profile. */
  awsSigner: boolean;
  /** The rule trusts cosign keys too. */
  cosign: boolean;
  signatures: NotationSignatureRecord[];
}

export interface NotationSignatureRecord {
  /** Digest of the signature manifest. */
  artifact: string;
  /** `notation-jws`, `notation-cose`, or `notation` when the envelope is neither. */
  format: 'notation-jws' | 'notation-cose' | 'notation';
  ok: boolean;
  reason: ReasonCode;
  /** The policy signer it was checked against (null when none could be named). */
  signer: string | null;
  /** What matched: the AWS Signer profile (or version) ARN, or the certificate subject. */
  identity: string | null;
  signingScheme: string | null;
  /** ISO 8601. */
  signingTime: string | null;
  /** ISO 8601. */
  expiry: string | null;
  /** The first strict check that failed (`integrity`, `trustedIdentity`, `expiry`, ...). */
  failedCheck: string | null;
  /** `not-revoked` / `revoked` (AWS Signer's answer), `not-checked` (X.509: revocation not checked), null: not asked. */
  revocation: 'not-revoked' | 'revoked' | 'not-checked' | null;
  /** In words: what was revoked, "revocation not checked (…)", or when AWS Signer answered. */
  revocationDetail: string | null;
}

/** Extension: what became of the task's alert with respect to its group (null: no alert was due). */
export interface AlertRecord {
  /** The group the task's alert belongs to (its first failing container's, by name). */
  group: string;
  /** `sent` emailed; `counted` counted in the group's window, not emailed; `duplicate` already done. */
  status: 'sent' | 'counted' | 'duplicate';
  /** `sent`: tasks counted before this email and reported in it; `counted`: tasks counted so far. */
  count?: number;
  /** ISO time of the first counted task of the window. */
  since?: string;
}

/**
 * Extension, on sweep decisions only (`trigger: sweep`): why the task was decided again and which stop
 * budget applied. `budgetExhausted`: the task would have been stopped, but this run's budget was spent;
 * it is listed in the run's summary alert (`summaryAlert`) instead, and decided again next run.
 */
export interface SweepDecisionFacts {
  runId: string;
  /** `unknown`: no final decision remembered; `policy-changed`; `recheck`: older than the re-check age; `digest-changed`. */
  why: 'unknown' | 'policy-changed' | 'recheck' | 'digest-changed' | 'exemption-expired';
  stopBudget: number;
  budgetExhausted: boolean;
  /** The decision equals the one remembered: its alert is not repeated. */
  unchanged?: boolean;
  summaryAlert?: 'sent' | 'duplicate' | 'no-topic' | 'failed';
}

export interface DecisionRecord {
  type: 'image-guard.decision';
  /** Extension: what made the guard decide. */
  trigger: DecisionTrigger;
  decisionId: string;
  time: string;
  mode: Mode;
  action: DecisionAction;
  /** Cluster name (the ARN's last part; the task ARN carries region and account). */
  cluster: string;
  service: string | null;
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  eventId: string;
  containers: ContainerRecord[];
  policySha256: string;
  durationMs: number;
  alert: AlertRecord | null;
  /** Extension: set when the action could not be carried out (e.g. StopTask failed); `action` says what was done. */
  actionError?: string;
  /** Extension: present when `trigger` is `sweep`. */
  sweep?: SweepDecisionFacts;
}

export interface IgnoredRecord {
  type: 'image-guard.ignored';
  time: string;
  eventId?: string;
  taskArn?: string;
  reason: ReasonCode;
  message: string;
}
