import type { Policy } from './schema';

/** Default alert grouping window. Its own module so the Lambda reads it without the schema library. */
export const DEFAULT_ALERT_WINDOW_MINUTES = 60;

/** The policy's alert grouping window in minutes (`alerts.windowMinutes`, else the default). */
export function alertWindowMinutes(policy: Pick<Policy, 'alerts'>): number {
  return policy.alerts?.windowMinutes ?? DEFAULT_ALERT_WINDOW_MINUTES;
}
