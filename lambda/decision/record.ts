/** Builds the audit records. Pure: ids, times and durations are passed in. */
import type { TaskEvent } from '../events/task-event';
import type { ContainerDecision } from '../policy/evaluate';
import type { SignatureCheck } from '../cosign/types';
import type { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import type { ImageVerification } from '../verify/types';
import { recordedAction, type TaskDecision } from './decide-task';
import type {
  AlertRecord,
  ContainerRecord,
  DecisionAction,
  DecisionRecord,
  DecisionTrigger,
  DigestSource,
  ExemptionRecord,
  IgnoredRecord,
  NotationRecord,
  NotationSignatureRecord,
  SweepDecisionFacts,
} from './types';

/** Messages are the only free text in a record; they are capped so a log line stays bounded. */
export const MAX_MESSAGE_CHARS = 1024;

export interface ContainerResult {
  name: string;
  image?: string;
  digest?: string;
  digestSource?: DigestSource;
  decision: ContainerDecision;
  signaturesFound: number;
  cached: boolean;
  durationMs: number;
  /** The Notation part of the verification, when its rules trust a Notation signer. */
  notation?: NotationRecord;
  /** The digest the deployment hook approved for this container of the task's revision, if any. */
  approvedDigest?: string;
}

export interface DecisionRecordInput {
  /** Default `event`. */
  trigger?: DecisionTrigger;
  decisionId: string;
  /** ISO 8601 time of the decision. */
  time: string;
  task: Pick<
    TaskEvent,
    'clusterName' | 'service' | 'taskArn' | 'taskDefinitionArn' | 'lastStatus' | 'eventId'
  >;
  decision: TaskDecision;
  containers: readonly ContainerResult[];
  policySha256: string;
  durationMs: number;
  /** What was actually done, when it differs from the decision (a stop that failed and became an alert). */
  action?: DecisionAction;
  actionError?: string;
  /** Container name → alert group key, for the denied and failed containers. */
  alertGroups?: ReadonlyMap<string, string>;
  alert?: AlertRecord;
  sweep?: SweepDecisionFacts;
}

export function buildDecisionRecord(input: DecisionRecordInput): DecisionRecord {
  const record: DecisionRecord = {
    type: 'image-guard.decision',
    trigger: input.trigger ?? 'event',
    decisionId: input.decisionId,
    time: input.time,
    mode: input.decision.mode,
    action: input.action ?? recordedAction(input.decision.action),
    cluster: input.task.clusterName,
    service: input.task.service ?? null,
    taskArn: input.task.taskArn,
    taskDefinitionArn: input.task.taskDefinitionArn,
    lastStatus: input.task.lastStatus,
    eventId: input.task.eventId,
    containers: input.containers.map((c) => containerRecord(c, input.alertGroups?.get(c.name))),
    policySha256: input.policySha256,
    durationMs: duration(input.durationMs),
    alert: input.alert ?? null,
  };
  if (input.actionError !== undefined) record.actionError = capRecordText(input.actionError);
  if (input.sweep !== undefined) record.sweep = { ...input.sweep };
  return record;
}

export function buildIgnoredRecord(input: {
  time: string;
  eventId?: string;
  taskArn?: string;
  reason: ReasonCode;
  message: string;
}): IgnoredRecord {
  return {
    type: 'image-guard.ignored',
    time: input.time,
    ...(input.eventId !== undefined ? { eventId: input.eventId } : {}),
    ...(input.taskArn !== undefined ? { taskArn: input.taskArn } : {}),
    reason: input.reason,
    message: capRecordText(input.message),
  };
}

/** One container's part of a record (every trigger's records share it). */
export function containerRecord(c: ContainerResult, alertGroup: string | undefined): ContainerRecord {
  return {
    name: c.name,
    image: c.image ?? null,
    digest: c.digest ?? null,
    digestSource: c.digest !== undefined ? (c.digestSource ?? null) : null,
    outcome: c.decision.outcome,
    reason: c.decision.reason,
    rule: c.decision.rule ?? null,
    keys: [...c.decision.keys],
    signaturesFound: Math.max(0, Math.trunc(c.signaturesFound)),
    cached: c.cached,
    durationMs: duration(c.durationMs),
    message: capRecordText(c.decision.message),
    alertGroup: alertGroup ?? null,
    exemption: exemptionRecord(c.decision.exemption),
    ...(c.notation ? { notation: c.notation } : {}),
    ...(c.approvedDigest !== undefined
      ? { approvedDigest: c.approvedDigest, digestDiffersFromApproved: c.digest !== c.approvedDigest }
      : {}),
  };
}

function exemptionRecord(e: ContainerDecision['exemption']): ExemptionRecord | null {
  if (e === undefined) return null;
  return {
    status: e.status,
    index: e.index,
    image: e.image ?? null,
    service: e.service ?? null,
    clusters: [...e.clusters],
    until: e.until,
    reason: capRecordText(e.reason),
    ticket: capRecordText(e.ticket),
  };
}

/** Longest certificate subject, ARN or revocation text kept per signature. */
const MAX_NOTATION_TEXT = 300;

const NOTATION_FORMATS = new Set<string>(['notation-jws', 'notation-cose', 'notation']);

/**
 * The record's Notation part of a verification: only when its rules trust a Notation signer; each
 * Notation signature examined, with who signed, when, until when and its revocation status.
 */
export function notationRecordOf(
  verification: Pick<ImageVerification, 'notation' | 'signatures'>,
): NotationRecord | undefined {
  if (!verification.notation) return undefined;
  return {
    signers: [...verification.notation.signers],
    awsSigner: verification.notation.awsSigner,
    cosign: verification.notation.cosign,
    signatures: verification.signatures
      .filter((c) => NOTATION_FORMATS.has(c.format))
      .map(notationSignatureRecord),
  };
}

function notationSignatureRecord(c: SignatureCheck): NotationSignatureRecord {
  const n = c.notation;
  const text = (value: string | undefined): string | null =>
    value === undefined ? null : untrustedText(value, MAX_NOTATION_TEXT);
  return {
    artifact: c.artifact,
    format: c.format as NotationSignatureRecord['format'],
    ok: c.ok,
    reason: c.reason,
    signer: n?.verifier ?? c.key ?? null,
    identity: text(n?.identity),
    signingScheme: n?.signingScheme ?? null,
    signingTime: text(n?.signingTime),
    expiry: text(n?.expiry),
    failedCheck: n?.failedCheck ?? null,
    revocation: n?.revocation ?? null,
    revocationDetail: text(n?.revocationDetail),
  };
}

function duration(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}

/** A record's free text, capped so a log line stays bounded (every record type, one bound). */
export function capRecordText(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}
