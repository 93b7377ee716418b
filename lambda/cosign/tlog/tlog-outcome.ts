import { ReasonCode } from '../../reasons';
import type { TlogMode } from '../types';

/** What checking a signature's transparency-log evidence found. */
export type TlogEvidence =
  { status: 'absent' } | { status: 'verified'; detail: string } | { status: 'invalid'; problem: string };

export type TlogVerdict =
  | { reason: typeof ReasonCode.VERIFIED; note: string }
  | { reason: typeof ReasonCode.TLOG_INVALID | typeof ReasonCode.TLOG_MISSING; note: string };

/**
 * Applies the tlog mode: `ignore` never looks (evidence is not even evaluated); `verify-if-present`
 * checks what is there; `required` also demands that something is there. Invalid evidence always fails.
 */
export function applyTlogMode(mode: TlogMode, evaluate: () => TlogEvidence): TlogVerdict {
  if (mode === 'ignore')
    return { reason: ReasonCode.VERIFIED, note: 'transparency log not checked (tlog: ignore)' };
  const evidence = evaluate();
  switch (evidence.status) {
    case 'verified':
      return { reason: ReasonCode.VERIFIED, note: evidence.detail };
    case 'invalid':
      return { reason: ReasonCode.TLOG_INVALID, note: `transparency log entry invalid: ${evidence.problem}` };
    case 'absent':
      return mode === 'required'
        ? { reason: ReasonCode.TLOG_MISSING, note: 'no transparency log entry, and the policy requires one' }
        : { reason: ReasonCode.VERIFIED, note: 'no transparency log entry (not required)' };
  }
}
