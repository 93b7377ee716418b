import { errors as joseErrors, flattenedVerify } from 'jose';
import { invalid, malformed } from '../failure';
import { SIGNING_SCHEME_HEADER, TIME_HEADERS, validateProtectedHeader } from './headers';
import { parseNotationPayload, validatePayloadContentType } from './payload';
import {
  decodeBase64,
  decodeBase64Url,
  leafAlgorithm,
  parseCertificateChain,
  type VerifiedEnvelope,
} from './verified-envelope';

/** JOSE header parameters of the protected header that are not Notary signed attributes. */
const JOSE_HEADERS: ReadonlySet<string> = new Set(['alg', 'cty', 'crit']);
const TIMESTAMP_HEADER = 'io.cncf.notary.timestampSignature';
/** RFC 3339 as Go's time.Time JSON decoding accepts it (upper-case T and Z, optional fraction). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed(`${what} is not JSON`);
  }
}

function parseTime(label: string, value: unknown): Date {
  const time = typeof value === 'string' && RFC3339.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime()))
    throw malformed(`"${label}" is not an RFC 3339 time`);
  return time;
}

/**
 * A Notary JWS envelope (flattened JSON serialization), verified over the base64url strings exactly
 * as received: strict base64url, headers checked first, then jose's flattenedVerify with only the
 * leaf-key-derived algorithm allowed and the Notary critical headers declared.
 */
export async function verifyJwsEnvelope(bytes: Buffer): Promise<VerifiedEnvelope> {
  const jws = parseJson(bytes, 'the JWS envelope');
  if (!isPlainObject(jws)) throw malformed('the JWS envelope is not a JSON object');
  const { payload, protected: protectedB64, signature, header } = jws;
  const protectedBytes = decodeBase64Url(protectedB64, 'the JWS "protected" member');
  const payloadBytes = decodeBase64Url(payload, 'the JWS "payload" member');
  const signatureBytes = decodeBase64Url(signature, 'the JWS "signature" member');
  if (signatureBytes.length === 0) throw malformed('the JWS signature is empty');
  if (!isPlainObject(header)) throw malformed('the JWS unprotected "header" is missing');

  const protectedHeader = parseJson(protectedBytes, 'the JWS protected header');
  if (!isPlainObject(protectedHeader)) throw malformed('the JWS protected header is not a JSON object');
  const entries = new Map<string, unknown>();
  for (const [label, value] of Object.entries(protectedHeader)) {
    if (JOSE_HEADERS.has(label)) continue;
    entries.set(label, TIME_HEADERS.includes(label) ? parseTime(label, value) : value);
  }
  const attributes = validateProtectedHeader({ format: 'notation-jws', crit: protectedHeader.crit, entries });
  validatePayloadContentType(protectedHeader.cty);

  const x5c = header.x5c;
  if (!Array.isArray(x5c)) throw malformed('the JWS unprotected header has no "x5c" array');
  // The chain cap applies before any certificate is decoded.
  const chain = parseCertificateChain(x5c, (c: unknown, i) => decodeBase64(c, `x5c[${i}]`));
  const algorithm = leafAlgorithm(chain[0]!, protectedHeader.alg, 'JWS "alg"');

  let timestampToken: Buffer | undefined;
  if (header[TIMESTAMP_HEADER] !== undefined) {
    timestampToken = decodeBase64(header[TIMESTAMP_HEADER], `"${TIMESTAMP_HEADER}"`);
  }

  const declaredCritical = Object.fromEntries(
    [SIGNING_SCHEME_HEADER, ...TIME_HEADERS, ...attributes.extended.keys()].map((label) => [label, true]),
  );
  let verifiedPayload: Uint8Array;
  try {
    const result = await flattenedVerify(
      {
        protected: protectedB64 as string,
        payload: payload as string,
        signature: signature as string,
        header,
      },
      chain[0]!.x509.publicKey,
      { algorithms: [algorithm], crit: declaredCritical },
    );
    verifiedPayload = result.payload;
  } catch (e) {
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw invalid(
        'integrity',
        `the ${algorithm} signature does not verify with the signing certificate's key`,
      );
    }
    throw malformed(`the JWS envelope was rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
  // jose decodes what it verified; it must be the bytes checked above.
  if (!Buffer.from(verifiedPayload).equals(payloadBytes))
    throw malformed('the JWS payload decodes inconsistently');

  return {
    format: 'notation-jws',
    algorithm,
    attributes,
    target: parseNotationPayload(payloadBytes),
    signature: signatureBytes,
    chain,
    timestampToken,
  };
}
