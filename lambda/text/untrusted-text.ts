/**
 * Text that comes from outside (registry error bodies, annotations, names a task's owner chose) is
 * data, never layout: before it reaches an email, a log message or a terminal it loses every control
 * character (newlines, ANSI escapes, bidi overrides) and is capped in length, so it cannot forge a
 * "What to do" block, move the cursor or hide text.
 */

/** C0 and C1 controls, DEL, and Unicode format characters that reorder or hide text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** The default cap for one piece of outside text shown to a person. */
export const UNTRUSTED_TEXT_MAX = 300;

/**
 * One line of display-safe text: each run of control or layout characters becomes one space, and a
 * value over `max` characters is cut with "…" (the cut never splits a surrogate pair).
 */
export function untrustedText(value: string, max: number = UNTRUSTED_TEXT_MAX): string {
  const flat = value.replace(CONTROL_OR_LAYOUT, ' ').replace(/ {2,}/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
