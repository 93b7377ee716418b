/**
 * What the hook answers ECS, from the decision: pure, no I/O.
 *   - a deny in enforce mode                      → FAILED (ECS rolls the deployment back)
 *   - an error that may clear up (registry, KMS,
 *     timeout, ECS throttled) while time remains  → IN_PROGRESS (ECS calls again after callBackDelay)
 *   - otherwise the task rules (decide-task.ts):  stop → FAILED; alert → SUCCEEDED + alert; none → SUCCEEDED
 * "While time remains": the hook keeps its first attempt's time in `hookDetails` (ECS hands back what
 * an IN_PROGRESS answer returned), and gives its final answer once another round (the call-back
 * delay, one more invocation and a margin) would pass the hook timeout the construct set: ECS's own
 * timeout action never decides for the guard.
 */
import type { TaskDecision } from '../decision/decide-task';
import type { ContainerDecision } from '../policy/evaluate';
import { TRANSIENT_REASONS } from './evaluate-revision';

export type HookStatus = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';

/** The keys this hook keeps in `hookDetails` across IN_PROGRESS answers (flat: ECS merges the object). */
export const FIRST_ATTEMPT_KEY = 'imageGuardFirstAttemptAt';
export const ATTEMPTS_KEY = 'imageGuardAttempts';

/** Kept back from the hook timeout on top of the call-back delay and one invocation. */
export const ANSWER_MARGIN_MS = 60_000;

export interface HookTiming {
  /** The hook timeout (TimeoutConfiguration.TimeoutInMinutes) in ms. */
  hookTimeoutMs: number;
  /** The delay asked for with IN_PROGRESS, in seconds. */
  callBackDelaySeconds: number;
  /** How long one invocation may take (the function's timeout). */
  invocationMs: number;
}

export interface HookState {
  /** Epoch ms of the first invocation for this hook execution. */
  firstAttemptAt: number;
  /** This invocation's number, from 1. */
  attempt: number;
  elapsedMs: number;
}

/** This invocation's place in the hook execution, from what earlier IN_PROGRESS answers left. */
export function hookStateOf(hookDetails: Record<string, unknown>, now: number): HookState {
  const first = hookDetails[FIRST_ATTEMPT_KEY];
  const parsed = typeof first === 'string' ? Date.parse(first) : Number.NaN;
  // A time in the future (or garbage) is not believed: the bound then starts now, never later.
  const firstAttemptAt = Number.isFinite(parsed) && parsed <= now ? parsed : now;
  const attempts = Number(hookDetails[ATTEMPTS_KEY]);
  const attempt = Number.isInteger(attempts) && attempts >= 1 && attempts < 100_000 ? attempts + 1 : 1;
  return { firstAttemptAt, attempt, elapsedMs: now - firstAttemptAt };
}

/** True when asking ECS to call again could let the hook timeout pass before the next answer. */
export function mustAnswerNow(state: HookState, timing: HookTiming): boolean {
  return (
    state.elapsedMs + timing.callBackDelaySeconds * 1000 + timing.invocationMs + ANSWER_MARGIN_MS >=
    timing.hookTimeoutMs
  );
}

export interface HookAnswer {
  status: HookStatus;
  /** An SNS alert is due (a refusal, an audit-mode denial, or an error let through by onError: alert). */
  alert: boolean;
  /** Why, in words, for the record. */
  because: string;
  /** The bound ran out on a transient error: onError decided. */
  waitedOut: boolean;
}

export function hookAnswer(
  decision: TaskDecision,
  containers: readonly ContainerDecision[],
  state: HookState,
  timing: HookTiming,
): HookAnswer {
  if (containers.some((c) => c.outcome === 'deny' && c.mode === 'enforce'))
    return {
      status: 'FAILED',
      alert: true,
      because: 'an image failed the policy in enforce mode',
      waitedOut: false,
    };
  const transient = containers.some((c) => c.outcome === 'error' && TRANSIENT_REASONS.has(c.reason));
  const finalNow = mustAnswerNow(state, timing);
  if (transient && !finalNow)
    return {
      status: 'IN_PROGRESS',
      alert: false,
      because: 'verification could not complete yet; asking ECS to call again',
      waitedOut: false,
    };
  return { ...fromDecision(decision, containers), waitedOut: transient };
}

/** A failure before any container was decided (the revision could not be read). */
export function hookAnswerWithoutContainers(
  retryable: boolean,
  onErrorStops: boolean,
  state: HookState,
  timing: HookTiming,
): HookAnswer {
  if (retryable && !mustAnswerNow(state, timing))
    return {
      status: 'IN_PROGRESS',
      alert: false,
      because: 'the service revision could not be read yet; asking ECS to call again',
      waitedOut: false,
    };
  return onErrorStops
    ? {
        status: 'FAILED',
        alert: true,
        because: 'the revision could not be verified (onError: stop)',
        waitedOut: retryable,
      }
    : {
        status: 'SUCCEEDED',
        alert: true,
        because: 'the revision could not be verified (onError: alert)',
        waitedOut: retryable,
      };
}

function fromDecision(
  decision: TaskDecision,
  containers: readonly ContainerDecision[],
): Omit<HookAnswer, 'waitedOut'> {
  switch (decision.action) {
    case 'stop':
      return { status: 'FAILED', alert: true, because: 'verification could not complete (onError: stop)' };
    case 'alert':
      return {
        status: 'SUCCEEDED',
        alert: true,
        because: containers.some((c) => c.outcome === 'deny')
          ? 'audit mode: the rollout would have been refused'
          : 'verification could not complete (onError: alert, or audit mode)',
      };
    case 'none':
      return { status: 'SUCCEEDED', alert: false, because: 'every image passed the policy' };
  }
}
