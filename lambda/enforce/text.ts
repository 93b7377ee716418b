/** Shortens `text` to `max` characters, keeping both ends (an image's registry and tag both matter). */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, max);
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/** Printable ASCII only: SNS subjects reject control characters and non-ASCII text. */
export function toPrintableAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
