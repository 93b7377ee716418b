/**
 * The policy's identity in decision records and cache keys: SHA-256 of a canonical JSON form (object
 * keys sorted, no whitespace) of the compiled policy, so formatting, comments, key order, defaults
 * written out or left implicit, and publicKeyFile vs inline PEM all give the same hash.
 */
import { createHash } from 'node:crypto';
import type { Policy } from './schema';

export function policySha256(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

/** JSON with object keys sorted at every level; `undefined` properties are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
