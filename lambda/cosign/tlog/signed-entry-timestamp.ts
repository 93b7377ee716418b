import { verify } from 'node:crypto';
import type { RekorKey } from '../types';
import { canonicalJson } from './canonical-json';

/** The fields a Rekor v1 Signed Entry Timestamp (SET) signs, plus the SET itself. */
export interface SignedEntry {
  /** The entry body exactly as Rekor returned it: base64 of the canonicalized entry JSON. */
  body: string;
  integratedTime: number;
  logIndex: number;
  /** Lower-case hex SHA-256 of the log's DER SPKI. */
  logId: string;
  /** The SET: Rekor's signature (ECDSA DER for the public-good log). */
  set: Buffer;
}

/**
 * Offline SET check (cosign VerifySET, sigstore-js tlog/set.ts): the log key whose logID matches
 * signs the RFC 8785 canonical JSON of exactly {body, integratedTime, logID, logIndex} with SHA-256.
 * False for anything that does not verify, including an unknown log; never throws.
 */
export function verifySignedEntryTimestamp(entry: SignedEntry, rekorKeys: readonly RekorKey[]): boolean {
  try {
    if (
      typeof entry.body !== 'string' ||
      !isCount(entry.integratedTime) ||
      !isCount(entry.logIndex) ||
      typeof entry.logId !== 'string' ||
      !Buffer.isBuffer(entry.set) ||
      entry.set.length === 0
    ) {
      return false;
    }
    const logId = entry.logId.toLowerCase();
    const signed = Buffer.from(
      canonicalJson({
        body: entry.body,
        integratedTime: entry.integratedTime,
        logID: logId,
        logIndex: entry.logIndex,
      }),
      'utf8',
    );
    return rekorKeys.some((key) => key.logId === logId && verifyWithLogKey(key, signed, entry.set));
  } catch {
    return false;
  }
}

function verifyWithLogKey(key: RekorKey, data: Buffer, signature: Buffer): boolean {
  try {
    if (key.publicKey.asymmetricKeyType === 'ed25519') return verify(null, data, key.publicKey, signature);
    return verify('sha256', data, key.publicKey, signature);
  } catch {
    return false;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
