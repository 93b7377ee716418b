/**
 * Test signer for Notation: AWS-Signer-like certificate chains (node:crypto WebCrypto keys, pkijs
 * certificates) and Notary JWS envelopes in notation's byte shapes (checked against the real
 * vectors in test/notation/test-signer-fidelity.test.ts). No AWS Signer envelope bytes are public,
 * so AWS Signer's shape is: ES384, a P-384 four-certificate chain (root → intermediate → regional CA
 * → ~3-day leaf), scheme notary.x509.signingAuthority and the AWS attributes.
 */
import { KeyObject, randomBytes, sign as nodeSign, constants, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { encode, Tag } from 'cbor2';
import { goJson, sortedKeys } from '../signer/go-json';

type Curve = 'P-256' | 'P-384' | 'P-521';
type KeyUsage = 'digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign' | 'keyEncipherment';
const KEY_USAGE_BITS: Record<KeyUsage, number> = {
  nonRepudiation: 1,
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
};
const HASH_FOR_CURVE: Record<Curve, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  'P-256': 'SHA-256',
  'P-384': 'SHA-384',
  'P-521': 'SHA-512',
};

export const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Subject attributes in certificate order (most general first), e.g. [['C','US'], …, ['CN','x']]. */
export type TestName = ReadonlyArray<readonly [string, string]>;

const NAME_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  emailAddress: '1.2.840.113549.1.9.1',
};

export interface TestCertificate {
  der: Buffer;
  name: TestName;
  /** Private key, for node:crypto signing and as the issuer of further certificates. */
  privateKey: KeyObject;
  signingKey: webcrypto.CryptoKey;
  curve: Curve;
}

export interface CertificateOptions {
  name: TestName;
  notBefore: Date;
  notAfter: Date;
  /** Self-signed when absent. */
  issuer?: TestCertificate;
  ca?: boolean;
  pathLen?: number;
  keyUsage?: KeyUsage[];
  keyUsageCritical?: boolean;
  extKeyUsage?: string[];
  extKeyUsageCritical?: boolean;
  curve?: Curve;
  /** Sign with this hash instead of the issuer curve's (e.g. SHA-1, which notation refuses). */
  signHash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Write this issuer name instead of the issuer's subject (a name-chaining break). */
  issuerName?: TestName;
  /** Put the subject's last two attributes into one (multi-valued) RDN. */
  multiValuedRdn?: boolean;
  /** An RSA key of this size instead of an EC key (for unsupported-key tests; not usable as an issuer). */
  rsaBits?: number;
}

/** One attribute per RDN, as real certificates have it (pkijs alone would write a single multi-valued RDN). */
function rdn(name: TestName, multiValuedLast = false): pkijs.RelativeDistinguishedNames {
  const attribute = ([type, value]: readonly [string, string]) =>
    new pkijs.AttributeTypeAndValue({
      type: NAME_OIDS[type] ?? type,
      value: type === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
    }).toSchema();
  const sets = name.map((entry) => new asn1js.Set({ value: [attribute(entry)] }));
  if (multiValuedLast && name.length >= 2) {
    sets.splice(-2, 2, new asn1js.Set({ value: name.slice(-2).map(attribute) }));
  }
  const sequence = new asn1js.Sequence({ value: sets });
  return pkijs.RelativeDistinguishedNames.fromBER(sequence.toBER(false));
}

function time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() >= 2050 ? 1 : 0, value: date });
}

function keyUsageExtension(usages: KeyUsage[], critical: boolean): pkijs.Extension {
  const bytes = new Uint8Array(2);
  let highest = 0;
  for (const usage of usages) {
    const bit = KEY_USAGE_BITS[usage];
    bytes[bit >> 3]! |= 0x80 >> (bit & 7);
    highest = Math.max(highest, bit);
  }
  const length = (highest >> 3) + 1;
  const bitString = new asn1js.BitString({
    valueHex: bytes.slice(0, length).buffer,
    unusedBits: length * 8 - 1 - highest,
  });
  return new pkijs.Extension({ extnID: '2.5.29.15', critical, extnValue: bitString.toBER(false) });
}

/** One X.509 v3 certificate signed by `issuer` (or itself) with ECDSA and the curve's hash. */
export async function makeTestCertificate(options: CertificateOptions): Promise<TestCertificate> {
  const curve = options.curve ?? 'P-384';
  const keys = (
    options.rsaBits === undefined
      ? await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])
      : await webcrypto.subtle.generateKey(
          {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: options.rsaBits,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: 'SHA-256',
          },
          true,
          ['sign', 'verify'],
        )
  ) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  // Positive and minimal: a leading zero byte would make the DER INTEGER non-canonical (OpenSSL rejects it).
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = new asn1js.Integer({
    valueHex: serial.buffer.slice(serial.byteOffset, serial.byteOffset + 16),
  });
  cert.subject = rdn(options.name, options.multiValuedRdn === true);
  cert.issuer = rdn(options.issuerName ?? options.issuer?.name ?? options.name);
  cert.notBefore = time(options.notBefore);
  cert.notAfter = time(options.notAfter);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey);
  const extensions: pkijs.Extension[] = [];
  if (options.ca !== undefined) {
    const bc = new pkijs.BasicConstraints({
      cA: options.ca,
      ...(options.pathLen === undefined ? {} : { pathLenConstraint: options.pathLen }),
    });
    extensions.push(
      new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: bc.toSchema().toBER(false) }),
    );
  }
  if (options.keyUsage !== undefined)
    extensions.push(keyUsageExtension(options.keyUsage, options.keyUsageCritical ?? true));
  if (options.extKeyUsage !== undefined) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: options.extKeyUsage });
    extensions.push(
      new pkijs.Extension({
        extnID: '2.5.29.37',
        critical: options.extKeyUsageCritical ?? false,
        extnValue: eku.toSchema().toBER(false),
      }),
    );
  }
  cert.extensions = extensions;
  const issuerCurve = options.issuer?.curve ?? curve;
  await cert.sign(
    options.issuer?.signingKey ?? keys.privateKey,
    options.signHash ?? HASH_FOR_CURVE[issuerCurve],
  );
  return {
    der: Buffer.from(cert.toSchema(true).toBER(false)),
    name: options.name,
    privateKey: KeyObject.from(keys.privateKey),
    signingKey: keys.privateKey,
    curve,
  };
}

const DAY = 24 * 60 * 60 * 1000;

export const AWS_SIGNER_LEAF_NAME: TestName = [
  ['C', 'US'],
  ['ST', 'WA'],
  ['L', 'Seattle'],
  ['O', 'AWS'],
  ['OU', 'AWS Cryptography'],
  ['CN', 'AWS Signer'],
];

const awsCaName = (cn: string): TestName => [
  ['C', 'US'],
  ['ST', 'WA'],
  ['O', 'AWS'],
  ['OU', 'Cryptography'],
  ['CN', cn],
];

export interface AwsSignerTestChain {
  root: TestCertificate;
  intermediate: TestCertificate;
  regional: TestCertificate;
  leaf: TestCertificate;
  /** x5c order: leaf, regional CA, intermediate, root. */
  chain: Buffer[];
}

export interface AwsSignerChainOptions {
  /** The leaf's notBefore (AWS issues a fresh leaf per signing job). */
  leafNotBefore: Date;
  leafDays?: number;
  region?: string;
  /** Reuse a root (e.g. one injected as the AWS root) instead of making one. */
  root?: TestCertificate;
  leafCurve?: Curve;
  leafKeyUsage?: KeyUsage[];
  leafKeyUsageCritical?: boolean;
  leafExtKeyUsage?: string[];
}

/** A test root shaped like AWS Signer's (P-384, 100 years, CA, KU digitalSignature+keyCertSign+cRLSign). */
export function makeAwsSignerTestRoot(
  cn = 'Test AWS Signer Code Signing Root CA G1',
): Promise<TestCertificate> {
  return makeTestCertificate({
    name: awsCaName(cn),
    notBefore: new Date('2022-10-27T21:33:22Z'),
    notAfter: new Date('2122-10-27T22:33:22Z'),
    ca: true,
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
  });
}

/** root → intermediate → regional CA → leaf, all ECDSA P-384, the leaf `leafDays` long (default 3). */
export async function makeAwsSignerTestChain(options: AwsSignerChainOptions): Promise<AwsSignerTestChain> {
  const root = options.root ?? (await makeAwsSignerTestRoot());
  const start = options.leafNotBefore.getTime();
  const intermediate = await makeTestCertificate({
    name: awsCaName('Test AWS Signer Code Signing Int CA G1'),
    issuer: root,
    notBefore: new Date(start - 400 * DAY),
    notAfter: new Date(start + 1400 * DAY),
    ca: true,
    pathLen: 1,
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
  });
  const regional = await makeTestCertificate({
    name: awsCaName(`Test AWS Signer ${options.region ?? 'us-east-2'} Code Signing CA G1`),
    issuer: intermediate,
    notBefore: new Date(start - 30 * DAY),
    notAfter: new Date(start + 300 * DAY),
    ca: true,
    pathLen: 0,
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
  });
  const leaf = await makeTestCertificate({
    name: AWS_SIGNER_LEAF_NAME,
    issuer: regional,
    notBefore: options.leafNotBefore,
    notAfter: new Date(start + (options.leafDays ?? 3) * DAY),
    ca: false,
    keyUsage: options.leafKeyUsage ?? ['digitalSignature'],
    keyUsageCritical: options.leafKeyUsageCritical ?? true,
    extKeyUsage: options.leafExtKeyUsage ?? [EKU_CODE_SIGNING],
    curve: options.leafCurve ?? 'P-384',
  });
  return { root, intermediate, regional, leaf, chain: [leaf.der, regional.der, intermediate.der, root.der] };
}

// ---- envelopes ----

export type JwsAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** RFC 3339 as Go marshals a second-truncated UTC time.Time. */
export function notaryTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ExtendedAttribute {
  key: string;
  value: unknown;
  critical: boolean;
}

export interface ProtectedHeaderOptions {
  alg: string;
  signingScheme: 'notary.x509' | 'notary.x509.signingAuthority' | string;
  /** Date or an exact RFC 3339 string (to reproduce a real header). */
  signingTime: Date | string;
  expiry?: Date | string;
  extended?: ExtendedAttribute[];
  /** Replace the computed crit list (to build invalid headers). */
  crit?: string[];
  cty?: string;
}

const SIGNING_TIME = 'io.cncf.notary.signingTime';
const AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
const EXPIRY = 'io.cncf.notary.expiry';
const SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const NOTARY_PAYLOAD_MEDIA_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

const asTime = (t: Date | string): string => (typeof t === 'string' ? t : notaryTime(t));

/**
 * notation-core-go getSignedAttributes: crit = [signingScheme, critical extended attributes…,
 * authenticSigningTime (signingAuthority), expiry]; the header is a Go map, so keys are sorted.
 */
export function makeProtectedHeader(options: ProtectedHeaderOptions): string {
  const header: Record<string, unknown> = {
    alg: options.alg,
    cty: options.cty ?? NOTARY_PAYLOAD_MEDIA_TYPE,
    [SIGNING_SCHEME]: options.signingScheme,
  };
  const crit = [SIGNING_SCHEME];
  for (const attribute of options.extended ?? []) {
    header[attribute.key] = attribute.value;
    if (attribute.critical) crit.push(attribute.key);
  }
  if (options.signingScheme === 'notary.x509.signingAuthority') {
    crit.push(AUTHENTIC_SIGNING_TIME);
    header[AUTHENTIC_SIGNING_TIME] = asTime(options.signingTime);
  } else {
    header[SIGNING_TIME] = asTime(options.signingTime);
  }
  if (options.expiry !== undefined) {
    crit.push(EXPIRY);
    header[EXPIRY] = asTime(options.expiry);
  }
  header.crit = options.crit ?? crit;
  return goJson(sortedKeys(header));
}

export interface TargetArtifact {
  mediaType: string;
  digest: string;
  size: number;
}

/** `{"targetArtifact": …}` as notation's JWS signer writes it (through jwt.MapClaims: sorted keys). */
export function makeNotaryPayload(target: TargetArtifact): string {
  return goJson({ targetArtifact: sortedKeys({ ...target }) });
}

export interface JwsParts {
  protected: string;
  payload: string;
  signature: string;
  x5c: Buffer[];
  signingAgent?: string;
  timestampToken?: Buffer;
}

/** The flattened JWS JSON as notation writes it: compact, payload/protected/header/signature, x5c standard base64. */
export function assembleJwsEnvelope(parts: JwsParts): Buffer {
  // Go struct order of notation-core-go's jwsUnprotectedHeader: timestampSignature, x5c, signingAgent.
  const header: Record<string, unknown> = {};
  if (parts.timestampToken !== undefined)
    header['io.cncf.notary.timestampSignature'] = parts.timestampToken.toString('base64');
  header.x5c = parts.x5c.map((der) => der.toString('base64'));
  if (parts.signingAgent !== undefined) header['io.cncf.notary.signingAgent'] = parts.signingAgent;
  return Buffer.from(
    goJson({ payload: parts.payload, protected: parts.protected, header, signature: parts.signature }),
  );
}

/** A JWS signature over ASCII(protected "." payload): ECDSA as raw r‖s, RSA-PSS with a hash-length salt. */
export function signJws(
  signingInput: string,
  alg: JwsAlgorithm,
  key: KeyObject,
  data: Buffer = Buffer.from(signingInput),
): Buffer {
  const hash = `sha${alg.slice(2)}`;
  return alg.startsWith('ES')
    ? nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' })
    : nodeSign(hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
}

export interface NotaryJwsOptions extends ProtectedHeaderOptions {
  chain: Buffer[];
  key: KeyObject;
  target: TargetArtifact;
  /** Sign with this algorithm instead of `alg` (algorithm-substitution tests). */
  signAlg?: JwsAlgorithm;
  /** Replace the payload after signing (tamper tests). */
  tamperPayload?: (payload: string) => string;
  signingAgent?: string;
  /** Sign this payload text instead of `{"targetArtifact": target}`. */
  payloadJson?: string;
}

export function makeNotaryJws(options: NotaryJwsOptions): Buffer {
  const protectedB64 = Buffer.from(makeProtectedHeader(options)).toString('base64url');
  const payloadB64 = Buffer.from(options.payloadJson ?? makeNotaryPayload(options.target)).toString(
    'base64url',
  );
  const signature = signJws(
    `${protectedB64}.${payloadB64}`,
    options.signAlg ?? (options.alg as JwsAlgorithm),
    options.key,
  );
  return assembleJwsEnvelope({
    protected: protectedB64,
    payload: options.tamperPayload === undefined ? payloadB64 : options.tamperPayload(payloadB64),
    signature: signature.toString('base64url'),
    x5c: options.chain,
    signingAgent: options.signingAgent ?? 'notation-go/1.3.0',
  });
}

export interface AwsSignerJwsOptions {
  chain: AwsSignerTestChain;
  target: TargetArtifact;
  signingTime: Date;
  /** Default: three years after signing (the signing profile's validity). */
  expiry?: Date;
  profileVersionArn: string;
  jobArn: string;
  /** Extra extended attributes (e.g. an unknown critical one). */
  extraAttributes?: ExtendedAttribute[];
  alg?: string;
  signAlg?: JwsAlgorithm;
  tamperPayload?: (payload: string) => string;
  crit?: string[];
}

export const AWS_SIGNER_PLUGIN = 'com.amazonaws.signer.notation.plugin';

/** An envelope shaped like AWS Signer's: ES384, signingAuthority, the AWS attributes, all critical. */
export function makeAwsSignerJws(options: AwsSignerJwsOptions): Buffer {
  return makeNotaryJws({
    alg: options.alg ?? 'ES384',
    signingScheme: 'notary.x509.signingAuthority',
    signingTime: options.signingTime,
    expiry: options.expiry ?? new Date(options.signingTime.getTime() + 3 * 365 * DAY),
    extended: [
      { key: 'io.cncf.notary.verificationPlugin', value: AWS_SIGNER_PLUGIN, critical: true },
      { key: 'com.amazonaws.signer.signingProfileVersion', value: options.profileVersionArn, critical: true },
      { key: 'com.amazonaws.signer.signingJob', value: options.jobArn, critical: true },
      ...(options.extraAttributes ?? []),
    ],
    ...(options.crit === undefined ? {} : { crit: options.crit }),
    chain: options.chain.chain,
    key: options.chain.leaf.privateKey,
    target: options.target,
    ...(options.signAlg === undefined ? {} : { signAlg: options.signAlg }),
    ...(options.tamperPayload === undefined ? {} : { tamperPayload: options.tamperPayload }),
    signingAgent: 'aws-signer-notation-plugin/1.0.298',
  });
}

// ---- COSE ----

/** COSE algorithm identifiers of the Notation algorithms. */
export const COSE_ALG: Record<JwsAlgorithm, number> = {
  PS256: -37,
  PS384: -38,
  PS512: -39,
  ES256: -7,
  ES384: -35,
  ES512: -36,
};

/** Length-first canonical key order (RFC 7049 §3.9), as go-cose writes header maps. */
function canonicalMap(entries: Array<[string | number, unknown]>): Map<string | number, unknown> {
  const keyed = entries.map(([k, v]) => ({ k, v, bytes: Buffer.from(encode(k)) }));
  keyed.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
  return new Map(keyed.map(({ k, v }) => [k, v]));
}

const epoch = (t: Date): number => Math.floor(t.getTime() / 1000);

export interface CoseProtectedOptions {
  alg: number;
  signingScheme: string;
  signingTime: Date;
  expiry?: Date;
  extended?: ExtendedAttribute[];
  crit?: Array<string | number>;
  /** Write times as plain integers instead of CBOR tag 1 (invalid). */
  untaggedTimes?: boolean;
}

/** The protected header bstr content as notation-core-go + go-cose write it. */
export function makeCoseProtectedHeader(options: CoseProtectedOptions): Buffer {
  const time = (t: Date): unknown => (options.untaggedTimes === true ? epoch(t) : new Tag(1, epoch(t)));
  const crit: Array<string | number> = [SIGNING_SCHEME];
  const entries: Array<[string | number, unknown]> = [
    [1, options.alg],
    [3, NOTARY_PAYLOAD_MEDIA_TYPE],
    [SIGNING_SCHEME, options.signingScheme],
  ];
  for (const attribute of options.extended ?? []) {
    entries.push([attribute.key, attribute.value]);
    if (attribute.critical) crit.push(attribute.key);
  }
  if (options.signingScheme === 'notary.x509.signingAuthority') {
    crit.push(AUTHENTIC_SIGNING_TIME);
    entries.push([AUTHENTIC_SIGNING_TIME, time(options.signingTime)]);
  } else {
    entries.push([SIGNING_TIME, time(options.signingTime)]);
  }
  if (options.expiry !== undefined) {
    crit.push(EXPIRY);
    entries.push([EXPIRY, time(options.expiry)]);
  }
  entries.push([2, options.crit ?? crit]);
  return Buffer.from(encode(canonicalMap(entries)));
}

export interface CoseParts {
  protectedHeader: Buffer;
  x5chain: Buffer[];
  payload: Buffer;
  signature: Buffer;
  signingAgent?: string;
  timestampToken?: Buffer;
}

/** COSE_Sign1_Tagged: tag 18, [protected, {33: x5chain, …}, payload, signature]; plain Uint8Arrays (cbor2 maps Buffers). */
export function assembleCoseEnvelope(parts: CoseParts): Buffer {
  const unprotected: Array<[string | number, unknown]> = [[33, parts.x5chain.map((d) => new Uint8Array(d))]];
  if (parts.signingAgent !== undefined) unprotected.push(['io.cncf.notary.signingAgent', parts.signingAgent]);
  if (parts.timestampToken !== undefined)
    unprotected.push(['io.cncf.notary.timestampSignature', new Uint8Array(parts.timestampToken)]);
  return Buffer.from(
    encode(
      new Tag(18, [
        new Uint8Array(parts.protectedHeader),
        canonicalMap(unprotected),
        new Uint8Array(parts.payload),
        new Uint8Array(parts.signature),
      ]),
    ),
  );
}

export function coseSigStructure(protectedHeader: Buffer, payload: Buffer): Buffer {
  return Buffer.from(
    encode(['Signature1', new Uint8Array(protectedHeader), new Uint8Array(0), new Uint8Array(payload)]),
  );
}

export interface NotaryCoseOptions extends CoseProtectedOptions {
  chain: Buffer[];
  key: KeyObject;
  target: TargetArtifact;
  signAlg: JwsAlgorithm;
  /** Replace the payload after signing (tamper tests). */
  tamperPayload?: (payload: Buffer) => Buffer;
}

export function makeNotaryCose(options: NotaryCoseOptions): Buffer {
  const protectedHeader = makeCoseProtectedHeader(options);
  const payload = Buffer.from(makeNotaryPayload(options.target));
  const signature = signJws('', options.signAlg, options.key, coseSigStructure(protectedHeader, payload));
  return assembleCoseEnvelope({
    protectedHeader,
    x5chain: options.chain,
    payload: options.tamperPayload === undefined ? payload : options.tamperPayload(payload),
    signature,
    signingAgent: 'notation-go/1.3.0',
  });
}
