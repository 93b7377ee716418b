import { decodeBase64Strict } from './base64';
import { isJsonObject, parseJson, type JsonObject } from './json-object';
import { MAX_DSSE_SIGNATURES } from './limits';
import { BUNDLE_MEDIA_TYPE_PREFIX, BUNDLE_MEDIA_TYPES } from './media-types';

export interface DsseContent {
  type: 'dsse';
  payloadType: string;
  payload: Buffer;
  signatures: Buffer[];
}

export interface ParsedBundle {
  mediaType: string;
  verificationMaterial: JsonObject;
  content: DsseContent;
}

export type BundleProblem = { problem: 'malformed' | 'unsupported'; message: string };

/**
 * Parses a Sigstore bundle (v0.1–v0.3, protojson field names) into what verification needs.
 * Certificates, timestamps and inclusion proofs are left in verificationMaterial untouched.
 * Only a DSSE envelope is accepted: that is how cosign signs an image. A messageSignature bundle is
 * what `cosign sign-blob` makes; it signs arbitrary bytes, so a blob-signing key could otherwise
 * approve anything whose digest happens to be an image's.
 */
export function parseBundle(bytes: Buffer): ParsedBundle | BundleProblem {
  const malformed = (message: string): BundleProblem => ({ problem: 'malformed', message });
  const parsed = parseJson(bytes.toString('utf8'));
  if (parsed === undefined || !isJsonObject(parsed.value))
    return malformed('the bundle is not a JSON object');
  const bundle = parsed.value;
  const { mediaType, verificationMaterial, dsseEnvelope, messageSignature } = bundle;
  if (typeof mediaType !== 'string') return malformed('the bundle has no mediaType');
  if (!BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    return mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX)
      ? {
          problem: 'unsupported',
          message: `bundle media type ${mediaType.slice(0, 100)} is not supported (v0.1–v0.3)`,
        }
      : malformed(`${mediaType.slice(0, 100)} is not a Sigstore bundle media type`);
  }
  if (!isJsonObject(verificationMaterial)) return malformed('the bundle has no verificationMaterial');
  if ((dsseEnvelope === undefined) === (messageSignature === undefined)) {
    return malformed('the bundle must hold exactly one of dsseEnvelope and messageSignature');
  }
  if (messageSignature !== undefined) {
    return {
      problem: 'unsupported',
      message:
        'the bundle holds a messageSignature (a `cosign sign-blob` signature over some bytes); cosign signs images with a DSSE envelope (`cosign sign`), and only that is accepted',
    };
  }
  const content = parseDsse(dsseEnvelope);
  if (typeof content === 'string') return malformed(content);
  return { mediaType, verificationMaterial, content };
}

function parseDsse(envelope: unknown): DsseContent | string {
  if (!isJsonObject(envelope)) return 'dsseEnvelope is not an object';
  const { payloadType, payload, signatures } = envelope;
  if (typeof payloadType !== 'string') return 'dsseEnvelope.payloadType is missing';
  const payloadBytes = typeof payload === 'string' ? decodeBase64Strict(payload) : undefined;
  if (payloadBytes === undefined) return 'dsseEnvelope.payload is missing or not base64';
  if (!Array.isArray(signatures) || signatures.length === 0) return 'dsseEnvelope has no signatures';
  if (signatures.length > MAX_DSSE_SIGNATURES)
    return `dsseEnvelope has more than ${MAX_DSSE_SIGNATURES} signatures`;
  const sigs: Buffer[] = [];
  for (const s of signatures) {
    const sig = isJsonObject(s) && typeof s.sig === 'string' ? decodeBase64Strict(s.sig) : undefined;
    if (sig === undefined) return 'a dsseEnvelope signature is missing or not base64';
    sigs.push(sig);
  }
  return { type: 'dsse', payloadType, payload: payloadBytes, signatures: sigs };
}
