import type { Policy } from './schema';

/**
 * The sweep's defaults. Its own module (like alert-window.ts) so the Lambda reads them without the
 * schema library. A small stop budget: a removed key must never take a whole fleet down in one run.
 */
export const DEFAULT_SWEEP_SETTINGS = { maxStopsPerRun: 5, recheckAfterHours: 24 } as const;

export interface SweepSettings {
  /** Stops one sweep run may make; tasks beyond it are listed in one summary alert instead. */
  maxStopsPerRun: number;
  /** A final decision older than this is made again (a revoked signature, a disabled key). */
  recheckAfterMs: number;
}

export function sweepSettings(policy: Pick<Policy, 'sweep'>): SweepSettings {
  return {
    maxStopsPerRun: policy.sweep?.maxStopsPerRun ?? DEFAULT_SWEEP_SETTINGS.maxStopsPerRun,
    recheckAfterMs: (policy.sweep?.recheckAfterHours ?? DEFAULT_SWEEP_SETTINGS.recheckAfterHours) * 3600_000,
  };
}
