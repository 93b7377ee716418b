import { constants, verify } from 'node:crypto';
import { decode, encode, Tag } from 'cbor2';
import { invalid, malformed } from '../failure';
import { NOTATION_LIMITS } from '../limits';
import { hashOf, type NotationAlgorithm } from '../x509/algorithms';
import { TIME_HEADERS, validateProtectedHeader } from './headers';
import { parseNotationPayload, validatePayloadContentType } from './payload';
import { leafAlgorithm, parseCertificateChain, type VerifiedEnvelope } from './verified-envelope';

const COSE_SIGN1_TAG = 18;
const EPOCH_TIME_TAG = 1;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CONTENT_TYPE = 3;
const LABEL_X5CHAIN = 33;
const TIMESTAMP_LABEL = 'io.cncf.notary.timestampSignature';

/** COSE algorithm identifiers (RFC 8152 / RFC 8230) of the Notation algorithms. */
const COSE_ALGORITHMS: ReadonlyMap<number, NotationAlgorithm> = new Map([
  [-37, 'PS256'],
  [-38, 'PS384'],
  [-39, 'PS512'],
  [-7, 'ES256'],
  [-35, 'ES384'],
  [-36, 'ES512'],
]);

/** Strict decoding: bounded nesting, no duplicate map keys, tags kept as Tag objects so 1 and 18 are checked here. */
const DECODE_OPTIONS = {
  maxDepth: NOTATION_LIMITS.maxCborDepth,
  rejectDuplicateKeys: true,
  preferMap: true,
  ignoreGlobalTags: true,
} as const;

function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, DECODE_OPTIONS);
  } catch (e) {
    throw malformed(`${what} is not valid CBOR (${e instanceof Error ? e.message : String(e)})`);
  }
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** notation-core-go parseTime: only a tag-1 (epoch) date is accepted. */
function parseTime(label: string, value: unknown): Date {
  if (!(value instanceof Tag) || value.tag !== EPOCH_TIME_TAG) {
    throw malformed(`"${label}" must be a CBOR tag 1 (epoch) time`);
  }
  const seconds = value.contents;
  const time = typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
  if (time === undefined || Number.isNaN(time.getTime()))
    throw malformed(`"${label}" is not a valid epoch time`);
  return time;
}

function verifySignature(
  algorithm: NotationAlgorithm,
  key: import('node:crypto').KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  try {
    return algorithm.startsWith('PS')
      ? verify(
          hashOf(algorithm),
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          signature,
        )
      : verify(hashOf(algorithm), data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/**
 * A Notary COSE_Sign1_Tagged envelope: the signature is checked over
 * Sig_structure = ["Signature1", protected bstr as received, h'', payload] (RFC 8152 §4.4) with the
 * leaf key and the leaf-key-derived algorithm (go-cose uses a PSS salt of the hash length).
 */
export function verifyCoseEnvelope(bytes: Buffer): VerifiedEnvelope {
  const message = decodeCbor(new Uint8Array(bytes), 'the COSE envelope');
  if (!(message instanceof Tag) || message.tag !== COSE_SIGN1_TAG)
    throw malformed('the envelope is not a COSE_Sign1_Tagged message');
  const parts = message.contents;
  if (!Array.isArray(parts) || parts.length !== 4)
    throw malformed('COSE_Sign1 must be an array of four items');
  const [protectedBytes, unprotected, payload, signature] = parts as unknown[];
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
    throw malformed(
      'COSE_Sign1 must be [protected bstr, unprotected map, payload bstr, signature bstr] (detached payloads are not Notary)',
    );
  }
  if (signature.length === 0) throw malformed('the COSE signature is empty');

  const protectedHeader = decodeCbor(protectedBytes, 'the COSE protected header');
  if (!(protectedHeader instanceof Map)) throw malformed('the COSE protected header is not a map');
  const entries = new Map<string, unknown>();
  for (const [label, value] of protectedHeader as Map<unknown, unknown>) {
    if (typeof label === 'string')
      entries.set(label, TIME_HEADERS.includes(label) ? parseTime(label, value) : value);
  }
  const attributes = validateProtectedHeader({
    format: 'notation-cose',
    crit: protectedHeader.get(LABEL_CRIT),
    entries,
  });
  validatePayloadContentType(protectedHeader.get(LABEL_CONTENT_TYPE));

  const x5chain = unprotected.get(LABEL_X5CHAIN);
  if (!Array.isArray(x5chain) || !x5chain.every(isBytes))
    throw malformed('the COSE unprotected header has no x5chain array of certificates');
  const chain = parseCertificateChain(x5chain, (c) => Buffer.from(c));
  const headerAlg = protectedHeader.get(LABEL_ALG);
  const algorithm = leafAlgorithm(
    chain[0]!,
    typeof headerAlg === 'number' ? (COSE_ALGORITHMS.get(headerAlg) ?? headerAlg) : headerAlg,
    'COSE alg',
  );

  const token = unprotected.get(TIMESTAMP_LABEL);
  if (token !== undefined && !isBytes(token)) throw malformed(`"${TIMESTAMP_LABEL}" is not a byte string`);

  // Plain Uint8Arrays: cbor2 would encode a Node Buffer as a map.
  const sigStructure = Buffer.from(
    encode(['Signature1', new Uint8Array(protectedBytes), new Uint8Array(0), new Uint8Array(payload)]),
  );
  if (!verifySignature(algorithm, chain[0]!.x509.publicKey, sigStructure, Buffer.from(signature))) {
    throw invalid(
      'integrity',
      `the ${algorithm} signature does not verify with the signing certificate's key`,
    );
  }

  return {
    format: 'notation-cose',
    algorithm,
    attributes,
    target: parseNotationPayload(Buffer.from(payload)),
    signature: Buffer.from(signature),
    chain,
    timestampToken: token === undefined ? undefined : Buffer.from(token),
  };
}
