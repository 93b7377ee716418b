/**
 * From container decisions to what happens to the task (docs/policy.md "Semantics"):
 *   - a deny in enforce mode → stop;
 *   - an error → onError: `stop` stops only when an enforce rule applies to the failed container
 *     (audit mode means "never stop", also on errors), otherwise alert;
 *   - a deny only in audit mode → alert ("would have stopped");
 *   - every container allowed or skipped → none, unless an exemption allowed one (EXEMPTED): then an
 *     alert, so that every use of break-glass is heard of.
 * StopTask is per task, so one failing container decides for the whole task.
 */
import type { ContainerDecision } from '../policy/evaluate';
import { strictestMode } from './decide-container';
import type { Mode, Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';

export type TaskAction = 'stop' | 'alert' | 'none';

export interface TaskDecision {
  action: TaskAction;
  /** enforce when the action is a stop; otherwise the strictest mode among the containers that failed
   * (or, when none failed, among all containers; the policy's mode for an empty task). */
  mode: Mode;
}

export function decideTask(policy: Policy, containers: readonly ContainerDecision[]): TaskDecision {
  const denies = containers.filter((c) => c.outcome === 'deny');
  const errors = containers.filter((c) => c.outcome === 'error');
  const failing = [...denies, ...errors];

  if (denies.some((c) => c.mode === 'enforce')) return { action: 'stop', mode: 'enforce' };
  if (errors.length > 0) {
    if (policy.onError === 'stop' && errors.some((c) => c.mode === 'enforce')) {
      return { action: 'stop', mode: 'enforce' };
    }
    return {
      action: 'alert',
      mode: strictestMode(
        failing.map((c) => c.mode),
        policy.mode,
      ),
    };
  }
  if (denies.length > 0) return { action: 'alert', mode: 'audit' };
  return {
    action: containers.some((c) => c.exemption?.status === ReasonCode.EXEMPTED) ? 'alert' : 'none',
    mode: strictestMode(
      containers.map((c) => c.mode),
      policy.mode,
    ),
  };
}

/** The record's `action` when the task action was carried out as decided. */
export function recordedAction(action: TaskAction): 'stopped' | 'alerted' | 'none' {
  return action === 'stop' ? 'stopped' : action === 'alert' ? 'alerted' : 'none';
}
