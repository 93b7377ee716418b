/** The hook's own clock across IN_PROGRESS answers, and when it must give its final answer: pure functions. */
import { ReasonCode } from '../../lambda/reasons';
import {
  ATTEMPTS_KEY,
  FIRST_ATTEMPT_KEY,
  hookAnswer,
  hookStateOf,
  mustAnswerNow,
} from '../../lambda/hook/hook-answer';
import type { ContainerDecision } from '../../lambda/policy/evaluate';
import { TIMING } from './support';

const NOW = Date.parse('2026-11-30T07:30:00Z');

describe('hookStateOf', () => {
  it('starts the clock at the first call', () => {
    expect(hookStateOf({}, NOW)).toEqual({ firstAttemptAt: NOW, attempt: 1, elapsedMs: 0 });
  });

  it('continues from what the last IN_PROGRESS answer returned', () => {
    const state = hookStateOf({ [FIRST_ATTEMPT_KEY]: '2026-11-30T07:00:00Z', [ATTEMPTS_KEY]: 3 }, NOW);
    expect(state).toEqual({
      firstAttemptAt: Date.parse('2026-11-30T07:00:00Z'),
      attempt: 4,
      elapsedMs: 30 * 60_000,
    });
  });

  it.each([
    ['a time in the future', { [FIRST_ATTEMPT_KEY]: '2026-12-30T07:00:00Z' }],
    ['not a time', { [FIRST_ATTEMPT_KEY]: 'yesterday' }],
    ['not a string', { [FIRST_ATTEMPT_KEY]: 12 }],
  ])('does not believe %s: the bound starts now, never later', (_name, details) => {
    expect(hookStateOf(details, NOW)).toMatchObject({ firstAttemptAt: NOW, elapsedMs: 0 });
  });

  it.each([[-1], [0], [1.5], ['x'], [1e9]])('ignores an attempt count of %p', (attempts) => {
    expect(hookStateOf({ [ATTEMPTS_KEY]: attempts }, NOW).attempt).toBe(1);
  });
});

describe('mustAnswerNow', () => {
  // 30 min timeout − (30 s delay + 60 s invocation + 60 s margin) = 27.5 min.
  it.each([
    [27 * 60_000, false],
    [27.5 * 60_000 - 1, false],
    [27.5 * 60_000, true],
  ])('after %p ms: %p', (elapsedMs, expected) => {
    expect(mustAnswerNow({ firstAttemptAt: 0, attempt: 2, elapsedMs }, TIMING)).toBe(expected);
  });
});

describe('hookAnswer', () => {
  const decision = (
    outcome: ContainerDecision['outcome'],
    reason: ReasonCode,
    mode: 'enforce' | 'audit' = 'enforce',
  ): ContainerDecision => ({
    outcome,
    reason,
    message: '',
    rules: [],
    keys: [],
    mode,
  });
  const early = { firstAttemptAt: NOW, attempt: 1, elapsedMs: 0 };

  it('an error that will not clear up by waiting is decided at once (onError), not IN_PROGRESS', () => {
    const answer = hookAnswer(
      { action: 'alert', mode: 'enforce' },
      [decision('error', ReasonCode.CONTAINER_UNIDENTIFIED)],
      early,
      TIMING,
    );
    expect(answer).toMatchObject({ status: 'SUCCEEDED', alert: true, waitedOut: false });
  });

  it('an audit-mode deny with a transient error elsewhere waits (IN_PROGRESS) before its final answer', () => {
    const answer = hookAnswer(
      { action: 'alert', mode: 'audit' },
      [decision('deny', ReasonCode.NO_SIGNATURES, 'audit'), decision('error', ReasonCode.TIMEOUT, 'audit')],
      early,
      TIMING,
    );
    expect(answer.status).toBe('IN_PROGRESS');
  });
});
