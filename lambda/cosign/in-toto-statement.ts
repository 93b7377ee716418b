import { ReasonCode } from '../reasons';
import type { ClaimsCheck } from './simple-signing-claims';
import { isJsonObject, parseJson } from './json-object';
import { MAX_STATEMENT_SUBJECTS } from './limits';
import { COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPES } from './media-types';

/**
 * Checks a signed in-toto Statement from a cosign v3 bundle: it must be a Statement (v0.1 or v1)
 * whose predicateType is cosign's image-signature type — an attestation signed by the same key is
 * not an approval to run (cosign `verify` accepts those; we are deliberately stricter) — and some
 * subject must carry the image digest as `digest.sha256`. Field names are matched exactly, as
 * sigstore-go's protojson parser does.
 */
export function checkCosignStatement(payload: Buffer, imageHex: string): ClaimsCheck {
  const parsed = parseJson(payload.toString('utf8'));
  if (parsed === undefined || !isJsonObject(parsed.value))
    return malformed('the signed payload is not a JSON object');
  const statement = parsed.value;
  if (typeof statement._type !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(statement._type)) {
    return malformed(`_type ${JSON.stringify(statement._type)?.slice(0, 80)} is not an in-toto Statement`);
  }
  if (typeof statement.predicateType !== 'string') return malformed('predicateType is missing');
  if (statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
    return {
      ok: false,
      reason: ReasonCode.NOT_A_SIGNATURE,
      message: `the statement is an attestation (predicateType ${statement.predicateType.slice(0, 200)}), not an image signature`,
    };
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) return malformed('the statement has no subject');
  if (subjects.length > MAX_STATEMENT_SUBJECTS)
    return malformed(`more than ${MAX_STATEMENT_SUBJECTS} subjects`);
  const digests = subjects.map((s) =>
    isJsonObject(s) && isJsonObject(s.digest) ? s.digest.sha256 : undefined,
  );
  if (digests.includes(imageHex)) return { ok: true };
  const shown = digests
    .filter((d): d is string => typeof d === 'string')
    .slice(0, 3)
    .map((d) => `sha256:${d.slice(0, 64)}`);
  return {
    ok: false,
    reason: ReasonCode.DIGEST_MISMATCH,
    message: `the statement's subjects (${shown.join(', ') || 'none with sha256'}) do not include this image (sha256:${imageHex})`,
  };
}

function malformed(message: string): ClaimsCheck {
  return { ok: false, reason: ReasonCode.SIGNATURE_MALFORMED, message: `malformed statement: ${message}` };
}
