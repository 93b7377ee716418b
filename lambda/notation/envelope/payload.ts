import type { TargetDescriptor } from '../types';
import { malformed } from '../failure';
import { NOTATION_LIMITS } from '../limits';

/** The only payload type a Notary signature carries (notation-go ValidatePayloadContentType). */
export const NOTATION_PAYLOAD_MEDIA_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

export function validatePayloadContentType(cty: unknown): void {
  if (cty !== NOTATION_PAYLOAD_MEDIA_TYPE) {
    throw malformed(`payload content type ${JSON.stringify(cty)} is not ${NOTATION_PAYLOAD_MEDIA_TYPE}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `{"targetArtifact": <OCI descriptor>}` and nothing else at the top level; the descriptor's
 * mediaType, digest and size are required and typed, annotations (user metadata) must map strings to
 * strings. Only digest, size and mediaType are compared with the image later (oras-go content.Equal).
 */
export function parseNotationPayload(payload: Buffer): TargetDescriptor {
  if (payload.length > NOTATION_LIMITS.maxPayloadBytes) {
    throw malformed(
      `payload of ${payload.length} bytes exceeds the ${NOTATION_LIMITS.maxPayloadBytes}-byte cap`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw malformed('the signed payload is not JSON');
  }
  if (!isPlainObject(parsed)) throw malformed('the signed payload is not a JSON object');
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'targetArtifact') {
    throw malformed(
      `the signed payload must have exactly one member "targetArtifact", found ${JSON.stringify(keys)}`,
    );
  }
  const target = parsed.targetArtifact;
  if (!isPlainObject(target)) throw malformed('"targetArtifact" is not an object');
  const { mediaType, digest, size, annotations, artifactType } = target;
  if (typeof mediaType !== 'string' || mediaType === '')
    throw malformed('"targetArtifact.mediaType" is missing');
  if (typeof digest !== 'string' || digest === '') throw malformed('"targetArtifact.digest" is missing');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw malformed('"targetArtifact.size" is not a non-negative integer');
  }
  if (artifactType !== undefined && typeof artifactType !== 'string')
    throw malformed('"targetArtifact.artifactType" is not a string');
  if (annotations !== undefined) {
    if (!isPlainObject(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
      throw malformed('"targetArtifact.annotations" is not a map of strings');
    }
  }
  return { mediaType, digest, size };
}
