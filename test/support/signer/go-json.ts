/**
 * JSON exactly as Go's encoding/json.Marshal writes it for the values cosign produces: compact,
 * members in the order given (Go structs) — callers sort map keys with `sortedKeys` — and `<`, `>`,
 * `&`, U+2028, U+2029 escaped as \u00XX (Go's HTML-safe default). These characters only occur inside
 * strings in JSON text, so escaping the serialised text is exact.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A copy with keys in sorted order, as Go marshals a map. */
export function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
