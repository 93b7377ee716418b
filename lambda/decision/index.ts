/** Task decisions and the audit records that document them. */
export { decideTask, recordedAction, type TaskAction, type TaskDecision } from './decide-task';
export {
  buildDecisionRecord,
  buildIgnoredRecord,
  MAX_MESSAGE_CHARS,
  type ContainerResult,
  type DecisionRecordInput,
} from './record';
export { matchTargetOf } from './match-target';
export { decideContainer, type ContainerFindings } from './decide-container';
export type {
  ContainerRecord,
  DecisionAction,
  DecisionRecord,
  DecisionTrigger,
  DigestSource,
  IgnoredRecord,
} from './types';
