/**
 * The policy's identity in decision records and cache keys: SHA-256 of the canonical JSON form
 * (RFC 8785, the one serialiser the transparency-log checks use too) of the compiled policy, so
 * formatting, comments, key order, defaults written out or left implicit, and publicKeyFile vs inline
 * PEM all give the same hash.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../cosign/tlog/canonical-json';
import type { Policy } from './schema';

export function policySha256(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}
