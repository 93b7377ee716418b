import type { FailingContainer } from './notice';
import { untrustedText } from '../text/untrusted-text';
import { truncateMiddle } from './text';

/** Every reason this guard gives starts so (a retry recognises its own earlier stop). */
export const STOP_REASON_PREFIX = 'image-guard';

/** ECS keeps at most 255 characters of a StopTask reason (API_StopTask). */
export const STOP_REASON_MAX = 255;

/**
 * The reason ECS shows on the stopped task: which container, which image, which reason code,
 * and the decision id to find the audit record.
 */
export function stopReason(failing: readonly FailingContainer[], decisionId: string): string {
  const first = failing[0];
  if (!first) return truncateMiddle(`image-guard stopped this task; decision ${decisionId}`, STOP_REASON_MAX);
  const more = failing.length > 1 ? ` (+${failing.length - 1} more container(s))` : '';
  const prefix = `image-guard: container "${truncateMiddle(untrustedText(first.name), 60)}" ${first.reason} for image `;
  const suffix = `${more}; decision ${decisionId}`;
  const room = STOP_REASON_MAX - prefix.length - suffix.length;
  return `${prefix}${truncateMiddle(untrustedText(first.image, 1024), Math.max(room, 16))}${suffix}`.slice(
    0,
    STOP_REASON_MAX,
  );
}
