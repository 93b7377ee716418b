import type { TrustedKey } from '../../keys/types';
import { decodeBase64Strict } from '../base64';
import { isJsonObject, type JsonObject } from '../json-object';
import { MAX_TLOG_ENTRIES } from '../limits';
import type { RekorKey } from '../types';
import { checkDsseBody, checkHashedRekordBody, decodeRekorBody } from './rekor-body';
import { verifySignedEntryTimestamp } from './signed-entry-timestamp';
import type { TlogEvidence } from './tlog-outcome';

export interface BundleSignedContent {
  /** dsse for a DSSE envelope, hashedrekord for a messageSignature. */
  kind: 'dsse' | 'hashedrekord';
  /** Hex SHA-256 the entry must record: the DSSE payload, or the signed message digest. */
  sha256Hex: string;
  signature: Buffer;
  key: TrustedKey;
}

/**
 * Verifies `verificationMaterial.tlogEntries` offline. Every entry present must verify (as
 * sigstore-go/-js do): a SET (`inclusionPromise.signedEntryTimestamp`) by a trusted log chosen by
 * `logId.keyId`, over the entry's canonicalized body, and that body must record this signature.
 * Entries with only an inclusion proof (Rekor v2, no SET) are reported invalid: Merkle proof and
 * checkpoint verification are not implemented, and an unverified entry is never counted as a pass.
 */
export function verifyBundleTlogEntries(
  entries: unknown,
  signed: BundleSignedContent,
  rekorKeys: readonly RekorKey[],
): TlogEvidence {
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    return { status: 'absent' };
  }
  if (!Array.isArray(entries)) return { status: 'invalid', problem: 'tlogEntries is not a list' };
  if (entries.length > MAX_TLOG_ENTRIES) {
    return { status: 'invalid', problem: `more than ${MAX_TLOG_ENTRIES} tlog entries` };
  }
  const indexes: number[] = [];
  for (const [i, entry] of entries.entries()) {
    const result = verifyEntry(entry, signed, rekorKeys);
    if (typeof result === 'string') return { status: 'invalid', problem: `tlog entry ${i}: ${result}` };
    indexes.push(result);
  }
  const plural = indexes.length === 1 ? 'entry' : 'entries';
  return { status: 'verified', detail: `transparency log ${plural} ${indexes.join(', ')} verified (SET)` };
}

/** The entry's log index when it verifies, otherwise what is wrong. */
function verifyEntry(
  entry: unknown,
  signed: BundleSignedContent,
  rekorKeys: readonly RekorKey[],
): number | string {
  if (!isJsonObject(entry)) return 'not an object';
  const logIndex = int64(entry.logIndex);
  const integratedTime = int64(entry.integratedTime);
  if (logIndex === undefined || integratedTime === undefined)
    return 'logIndex or integratedTime missing or invalid';
  const keyIdBase64 = objectAt(entry, 'logId')?.keyId;
  const keyId = typeof keyIdBase64 === 'string' ? decodeBase64Strict(keyIdBase64) : undefined;
  if (keyId?.length !== 32) return 'logId.keyId is not a base64 SHA-256';
  const logId = keyId.toString('hex');
  const kindVersion = objectAt(entry, 'kindVersion');
  const body =
    typeof entry.canonicalizedBody === 'string' ? decodeBase64Strict(entry.canonicalizedBody) : undefined;
  if (body === undefined) return 'canonicalizedBody missing or not base64';
  const setBase64 = objectAt(entry, 'inclusionPromise')?.signedEntryTimestamp;
  if (setBase64 === undefined) {
    return (
      'no signed entry timestamp (a Rekor v2 entry with only an inclusion proof); ' +
      'offline inclusion-proof verification is not supported — use tlog mode "ignore" for such signatures'
    );
  }
  const set = typeof setBase64 === 'string' ? decodeBase64Strict(setBase64) : undefined;
  if (set === undefined) return 'signedEntryTimestamp is not valid base64';
  if (!rekorKeys.some((k) => k.logId === logId)) return `no trusted transparency log has logID ${logId}`;
  if (
    !verifySignedEntryTimestamp(
      { body: body.toString('base64'), integratedTime, logIndex, logId, set },
      rekorKeys,
    )
  ) {
    return 'the signed entry timestamp (SET) does not verify';
  }
  const decoded = decodeRekorBody(body.toString('base64'));
  if (typeof decoded === 'string') return decoded;
  if (
    kindVersion !== undefined &&
    (kindVersion.kind !== decoded.kind || kindVersion.version !== decoded.apiVersion)
  ) {
    return `kindVersion ${String(kindVersion.kind)} ${String(kindVersion.version)} does not match the body`;
  }
  const problem =
    signed.kind === 'dsse' ? checkDsseBody(decoded, signed) : checkHashedRekordBody(decoded, signed);
  return problem ?? logIndex;
}

function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const value = obj[key];
  return isJsonObject(value) ? value : undefined;
}

/** protojson writes int64 as a decimal string; accept that or a plain safe integer. */
function int64(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
