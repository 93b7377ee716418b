import { parsePemKey } from '../../keys/pem-key';
import type { TrustedKey } from '../../keys/types';
import { decodeBase64Strict } from '../base64';
import { isJsonObject, parseJson, type JsonObject } from '../json-object';

/** A decoded Rekor entry body: `{apiVersion, kind, spec}`. */
export interface RekorBody {
  apiVersion: string;
  kind: string;
  spec: JsonObject;
}

/** Decodes a base64 Rekor entry body; a string says what is wrong. */
export function decodeRekorBody(bodyBase64: string): RekorBody | string {
  const bytes = decodeBase64Strict(bodyBase64);
  if (bytes === undefined) return 'the entry body is not valid base64';
  const parsed = parseJson(bytes.toString('utf8'));
  if (parsed === undefined || !isJsonObject(parsed.value)) return 'the entry body is not a JSON object';
  const { apiVersion, kind, spec } = parsed.value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isJsonObject(spec)) {
    return 'the entry body lacks apiVersion, kind or spec';
  }
  return { apiVersion, kind, spec };
}

/** What a log entry must say about the signature it claims to record. */
export interface ExpectedEntry {
  /** Hex SHA-256 of the signed content (hashedrekord: the payload; dsse: the statement). */
  sha256Hex: string;
  signature: Buffer;
  key: TrustedKey;
}

/**
 * hashedrekord v0.0.1 consistency (cosign VerifyBundle): the logged hash is SHA-256 of what was
 * signed, the logged signature is this signature, the logged public key is the verifying key.
 * Returns a problem description, or undefined when consistent.
 */
export function checkHashedRekordBody(body: RekorBody, expected: ExpectedEntry): string | undefined {
  if (body.kind !== 'hashedrekord' || body.apiVersion !== '0.0.1') {
    return `entry kind ${body.kind} ${body.apiVersion} is not hashedrekord 0.0.1`;
  }
  const data = objectAt(body.spec, 'data');
  const hash = data && objectAt(data, 'hash');
  if (hash?.algorithm !== 'sha256' || typeof hash.value !== 'string') {
    return 'the entry has no sha256 data hash';
  }
  if (hash.value.toLowerCase() !== expected.sha256Hex) return 'the entry records a different payload hash';
  const signature = objectAt(body.spec, 'signature');
  if (signature === undefined) return 'the entry has no signature';
  const signatureProblem = checkSignature(signature.content, expected.signature);
  if (signatureProblem !== undefined) return signatureProblem;
  const publicKey = objectAt(signature, 'publicKey');
  return checkPublicKey(publicKey?.content, expected.key);
}

/**
 * dsse v0.0.1 consistency (sigstore-go/-js tlog/dsse): payloadHash is SHA-256 of the DSSE payload, and
 * one logged signature is this signature with the verifying key as its verifier. The envelopeHash is
 * not recomputed (it covers Rekor's own re-serialisation of the envelope).
 */
export function checkDsseBody(body: RekorBody, expected: ExpectedEntry): string | undefined {
  if (body.kind !== 'dsse' || body.apiVersion !== '0.0.1') {
    return `entry kind ${body.kind} ${body.apiVersion} is not dsse 0.0.1`;
  }
  const payloadHash = objectAt(body.spec, 'payloadHash');
  if (payloadHash?.algorithm !== 'sha256' || typeof payloadHash.value !== 'string') {
    return 'the entry has no sha256 payloadHash';
  }
  if (payloadHash.value.toLowerCase() !== expected.sha256Hex)
    return 'the entry records a different payload hash';
  const signatures = body.spec.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) return 'the entry has no signatures';
  let lastProblem = 'the entry does not record this signature';
  for (const item of signatures.slice(0, 16)) {
    if (!isJsonObject(item)) continue;
    const problem =
      checkSignature(item.signature, expected.signature) ?? checkPublicKey(item.verifier, expected.key);
    if (problem === undefined) return undefined;
    lastProblem = problem;
  }
  return lastProblem;
}

function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const value = obj[key];
  return isJsonObject(value) ? value : undefined;
}

function checkSignature(loggedBase64: unknown, signature: Buffer): string | undefined {
  const logged =
    typeof loggedBase64 === 'string'
      ? decodeBase64Strict(loggedBase64, { allowLineBreaks: true })
      : undefined;
  if (logged === undefined) return 'the entry signature is not valid base64';
  return logged.equals(signature) ? undefined : 'the entry records a different signature';
}

/** The logged key (base64 of a PEM public key or certificate) must be the key that verified. */
function checkPublicKey(loggedBase64: unknown, key: TrustedKey): string | undefined {
  const pemBytes = typeof loggedBase64 === 'string' ? decodeBase64Strict(loggedBase64) : undefined;
  if (pemBytes === undefined) return 'the entry public key is not valid base64';
  try {
    const logged = parsePemKey({
      name: 'tlog-entry',
      pem: pemBytes.toString('utf8'),
      source: 'transparency log entry',
    });
    return logged.fingerprint === key.fingerprint ? undefined : 'the entry records a different public key';
  } catch {
    return 'the entry public key cannot be parsed';
  }
}
