import { ReasonCode } from '../reasons';
import { goField } from './go-json-fields';
import { isJsonObject, parseJson, type JsonObject } from './json-object';
import { COSIGN_SIGNATURE_TYPE } from './media-types';

export type ClaimsCheck =
  | { ok: true }
  | {
      ok: false;
      reason:
        | typeof ReasonCode.DIGEST_MISMATCH
        | typeof ReasonCode.SIGNATURE_MALFORMED
        | typeof ReasonCode.NOT_A_SIGNATURE;
      message: string;
    };

/**
 * Checks the claims of a simple-signing payload whose signature already verified:
 * `critical.image["docker-manifest-digest"]` must equal the image digest and `critical.type` must be
 * cosign's image-signature type (cosign itself skips the type check; containers/image enforces it).
 * Keys are matched like Go's encoding/json (case-insensitively), ambiguous payloads are rejected.
 * `critical.identity` is not checked, as in cosign (the spec says docker-reference is ignored).
 */
export function checkSimpleSigningClaims(payload: Buffer, imageDigest: string): ClaimsCheck {
  const parsed = parseJson(payload.toString('utf8'));
  if (parsed === undefined || !isJsonObject(parsed.value)) {
    return malformed('the signed payload is not a JSON object');
  }
  const critical = objectField(parsed.value, 'critical');
  if (typeof critical === 'string') return malformed(critical);
  const image = objectField(critical, 'image', 'critical.');
  if (typeof image === 'string') return malformed(image);

  const type = goField(critical, 'type');
  if (!type.found) return malformed(fieldProblem('critical.type', type.ambiguous));
  if (typeof type.value !== 'string') return malformed('critical.type is not a string');
  if (type.value !== COSIGN_SIGNATURE_TYPE) {
    return {
      ok: false,
      reason: ReasonCode.NOT_A_SIGNATURE,
      message: `the signed payload has critical.type "${type.value}", not "${COSIGN_SIGNATURE_TYPE}"`,
    };
  }

  const digest = goField(image, 'docker-manifest-digest');
  if (!digest.found)
    return malformed(fieldProblem('critical.image.docker-manifest-digest', digest.ambiguous));
  if (typeof digest.value !== 'string')
    return malformed('critical.image.docker-manifest-digest is not a string');
  if (digest.value !== imageDigest) {
    return {
      ok: false,
      reason: ReasonCode.DIGEST_MISMATCH,
      message: `the signature is for ${digest.value.slice(0, 80)}, not for this image (${imageDigest})`,
    };
  }
  return { ok: true };
}

function objectField(obj: JsonObject, name: string, prefix = ''): JsonObject | string {
  const field = goField(obj, name);
  if (!field.found) return fieldProblem(`${prefix}${name}`, field.ambiguous);
  if (!isJsonObject(field.value)) return `${prefix}${name} is not an object`;
  return field.value;
}

function fieldProblem(path: string, ambiguous: boolean): string {
  return ambiguous ? `${path} appears more than once with different letter case` : `${path} is missing`;
}

function malformed(message: string): ClaimsCheck {
  return { ok: false, reason: ReasonCode.SIGNATURE_MALFORMED, message: `malformed payload: ${message}` };
}
