import type { JsonObject } from './json-object';

/**
 * Folds an object key the way Go's encoding/json matches it to an ASCII field name: ASCII letters
 * case-insensitively, plus the only two non-ASCII runes whose simple case folding reaches ASCII —
 * KELVIN SIGN (U+212A → k) and LATIN SMALL LETTER LONG S (U+017F → s).
 */
export function goFoldKey(key: string): string {
  return key
    .replace(/\u212a/g, 'k')
    .replace(/\u017f/g, 's')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export type FoldedField = { found: true; value: unknown } | { found: false; ambiguous: boolean };

/**
 * Looks up `name` (lower-case ASCII) the way cosign's Go decoder would find it, but refuses
 * ambiguity: if two keys fold to the same field, Go silently keeps the last one; we report it so the
 * caller can reject the payload instead of guessing which claim the signer meant.
 */
export function goField(obj: JsonObject, name: string): FoldedField {
  const matches = Object.keys(obj).filter((key) => goFoldKey(key) === name);
  if (matches.length === 1) return { found: true, value: obj[matches[0] as string] };
  return { found: false, ambiguous: matches.length > 1 };
}
