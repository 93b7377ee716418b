import { createHash } from 'node:crypto';
import type { TrustedKey } from '../../keys/types';
import { decodeBase64Strict } from '../base64';
import { isJsonObject, parseJson } from '../json-object';
import { MAX_REKOR_BUNDLE_ANNOTATION_CHARS } from '../limits';
import type { RekorKey } from '../types';
import { checkHashedRekordBody, decodeRekorBody } from './rekor-body';
import { verifySignedEntryTimestamp } from './signed-entry-timestamp';
import type { TlogEvidence } from './tlog-outcome';

/**
 * Verifies the `dev.sigstore.cosign/bundle` annotation of a legacy signature layer offline, as
 * cosign's VerifyBundle does: the SET against a trusted Rekor key chosen by logID, then the logged
 * hashedrekord entry against this payload, signature and verifying key.
 */
export function verifyLegacyRekorBundle(
  annotation: string,
  signed: { payload: Buffer; signature: Buffer; key: TrustedKey },
  rekorKeys: readonly RekorKey[],
): TlogEvidence {
  const invalid = (problem: string): TlogEvidence => ({ status: 'invalid', problem });
  if (annotation.length > MAX_REKOR_BUNDLE_ANNOTATION_CHARS)
    return invalid('the Rekor bundle annotation is too large');
  const parsed = parseJson(annotation);
  if (parsed === undefined || !isJsonObject(parsed.value))
    return invalid('the Rekor bundle is not a JSON object');
  const { SignedEntryTimestamp: setBase64, Payload: payload } = parsed.value;
  if (typeof setBase64 !== 'string' || !isJsonObject(payload)) {
    return invalid('the Rekor bundle lacks SignedEntryTimestamp or Payload');
  }
  const set = decodeBase64Strict(setBase64);
  const { body, integratedTime, logIndex, logID } = payload;
  if (set === undefined) return invalid('SignedEntryTimestamp is not valid base64');
  if (
    typeof body !== 'string' ||
    typeof integratedTime !== 'number' ||
    typeof logIndex !== 'number' ||
    typeof logID !== 'string' ||
    !/^[0-9a-fA-F]{64}$/.test(logID)
  ) {
    return invalid('Payload lacks body, integratedTime, logIndex or a hex logID');
  }
  const logId = logID.toLowerCase();
  if (!rekorKeys.some((k) => k.logId === logId))
    return invalid(`no trusted transparency log has logID ${logId}`);
  if (!verifySignedEntryTimestamp({ body, integratedTime, logIndex, logId, set }, rekorKeys)) {
    return invalid('the signed entry timestamp (SET) does not verify');
  }
  const entry = decodeRekorBody(body);
  if (typeof entry === 'string') return invalid(entry);
  const problem = checkHashedRekordBody(entry, {
    sha256Hex: createHash('sha256').update(signed.payload).digest('hex'),
    signature: signed.signature,
    key: signed.key,
  });
  if (problem !== undefined) return invalid(problem);
  return { status: 'verified', detail: `transparency log entry ${logIndex} verified (SET)` };
}
