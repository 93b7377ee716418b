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
 */
export type DigestSource = 'event' | 'describeTasks' | 'serviceRevision' | 'resolved';

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
   * Extension: for a denied or failed container, the key of its alert group (cluster, service or task
   * family, container, digest): the same for every task of the group; null otherwise.
   */
  alertGroup: string | null;
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
  why: 'unknown' | 'policy-changed' | 'recheck' | 'digest-changed';
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
