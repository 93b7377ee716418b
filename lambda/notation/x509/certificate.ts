import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NOTATION_LIMITS } from '../limits';

const OID_KEY_USAGE = '2.5.29.15';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EXT_KEY_USAGE = '2.5.29.37';

/** Key usage bits, numbered as in RFC 5280 (digitalSignature = 0 … decipherOnly = 8). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

/** RFC 4514 short names Go's pkix.Name.String() writes (every other attribute becomes `oid=#hex`). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};

export interface SubjectAttribute {
  /** Short name (C, ST, O, …) or the dotted OID for any other attribute. */
  type: string;
  value: string;
  /** True for a type Go renders by name; false for the ones it renders as `oid=#hex`. */
  named: boolean;
}

/**
 * One certificate, parsed once: node:crypto for signatures and keys, pkijs for the extensions
 * (with their criticality), the raw TBS / subject / issuer bytes and the validity dates.
 */
export interface ParsedCertificate {
  der: Buffer;
  x509: X509Certificate;
  /** DER TBSCertificate (AWS Signer's certificate hashes are over it). */
  tbs: Buffer;
  rawSubject: Buffer;
  rawIssuer: Buffer;
  /** RFC 4514 string, most specific first (as Go prints it); for messages and records. */
  subject: string;
  /** Subject attributes in certificate order, and how many RDNs had more than one attribute. */
  subjectAttributes: SubjectAttribute[];
  multiValuedRdns: number;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithmOid: string;
  keyUsage: { critical: boolean; has(bit: KeyUsageName): boolean; any: boolean } | undefined;
  basicConstraints: { critical: boolean; ca: boolean; pathLen: number | undefined } | undefined;
  extKeyUsage: { critical: boolean; purposes: string[] } | undefined;
}

/** Thrown for bytes that are not one well-formed certificate; the caller decides the reason code. */
export class CertificateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateParseError';
  }
}

function toBuffer(view: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(view)
    ? Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    : Buffer.from(new Uint8Array(view));
}

function attributeText(value: unknown): string {
  const block = (value as { valueBlock?: { value?: unknown } }).valueBlock;
  return typeof block?.value === 'string' ? block.value : '';
}

function escapeRfc4514(value: string): string {
  return value
    .replace(/([\\,+"<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

function readSubject(cert: pkijs.Certificate): { attributes: SubjectAttribute[]; multiValuedRdns: number } {
  const attributes = cert.subject.typesAndValues.map((tv) => {
    const short = SHORT_NAMES[tv.type];
    return { type: short ?? tv.type, value: attributeText(tv.value), named: short !== undefined };
  });
  // typesAndValues flattens the RDN SETs; count the SETs with more than one member from the raw Name.
  let multiValuedRdns = 0;
  const parsed = asn1js.fromBER(cert.subject.valueBeforeDecode);
  if (parsed.offset !== -1 && parsed.result instanceof asn1js.Sequence) {
    for (const rdn of parsed.result.valueBlock.value) {
      if (rdn instanceof asn1js.Set && rdn.valueBlock.value.length > 1) multiValuedRdns += 1;
    }
  }
  return { attributes, multiValuedRdns };
}

/** Parses one DER certificate; throws CertificateParseError for anything that is not one. */
export function parseCertificate(der: Buffer): ParsedCertificate {
  if (der.length === 0) throw new CertificateParseError('empty certificate');
  if (der.length > NOTATION_LIMITS.maxCertificateBytes) {
    throw new CertificateParseError(
      `certificate of ${der.length} bytes exceeds the ${NOTATION_LIMITS.maxCertificateBytes}-byte cap`,
    );
  }
  let x509: X509Certificate;
  let cert: pkijs.Certificate;
  try {
    x509 = new X509Certificate(der);
    const asn = asn1js.fromBER(new Uint8Array(der));
    if (asn.offset !== der.length) throw new Error('trailing bytes after the certificate');
    cert = new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw new CertificateParseError(
      `not a DER X.509 certificate (${e instanceof Error ? e.message : String(e)})`,
    );
  }

  let keyUsage: ParsedCertificate['keyUsage'];
  let basicConstraints: ParsedCertificate['basicConstraints'];
  let extKeyUsage: ParsedCertificate['extKeyUsage'];
  for (const ext of cert.extensions ?? []) {
    const critical = ext.critical === true;
    if (ext.extnID === OID_KEY_USAGE) {
      const bits =
        ext.parsedValue instanceof asn1js.BitString ? ext.parsedValue.valueBlock.valueHexView : undefined;
      if (bits === undefined) throw new CertificateParseError('malformed key usage extension');
      const has = (bit: KeyUsageName): boolean => {
        const index = KeyUsageBit[bit];
        const byte = bits[index >> 3];
        return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
      };
      keyUsage = { critical, has, any: bits.some((b) => b !== 0) };
    } else if (ext.extnID === OID_BASIC_CONSTRAINTS) {
      const bc = ext.parsedValue;
      if (!(bc instanceof pkijs.BasicConstraints))
        throw new CertificateParseError('malformed basic constraints');
      const pathLen = bc.pathLenConstraint;
      basicConstraints = {
        critical,
        ca: bc.cA === true,
        pathLen:
          pathLen === undefined
            ? undefined
            : typeof pathLen === 'number'
              ? pathLen
              : pathLen.valueBlock.valueDec,
      };
    } else if (ext.extnID === OID_EXT_KEY_USAGE) {
      const eku = ext.parsedValue;
      if (!(eku instanceof pkijs.ExtKeyUsage))
        throw new CertificateParseError('malformed extended key usage');
      extKeyUsage = { critical, purposes: [...eku.keyPurposes] };
    }
  }

  const { attributes, multiValuedRdns } = readSubject(cert);
  const subject = [...attributes]
    .reverse()
    .map((a) => `${a.type}=${escapeRfc4514(a.value)}`)
    .join(',');
  return {
    der,
    x509,
    tbs: toBuffer(cert.tbsView),
    rawSubject: toBuffer(cert.subject.valueBeforeDecode),
    rawIssuer: toBuffer(cert.issuer.valueBeforeDecode),
    subject,
    subjectAttributes: attributes,
    multiValuedRdns,
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    signatureAlgorithmOid: cert.signatureAlgorithm.algorithmId,
    keyUsage,
    basicConstraints,
    extKeyUsage,
  };
}

const parsedStoreCertificates = new WeakMap<Buffer, ParsedCertificate | CertificateParseError>();

/** Trust-store certificates are parsed once per Buffer (policies are compiled once per process). */
export function parseStoreCertificate(der: Buffer): ParsedCertificate | CertificateParseError {
  let parsed = parsedStoreCertificates.get(der);
  if (parsed === undefined) {
    try {
      parsed = parseCertificate(der);
    } catch (e) {
      parsed = e instanceof CertificateParseError ? e : new CertificateParseError(String(e));
    }
    parsedStoreCertificates.set(der, parsed);
  }
  return parsed;
}

export function isoDate(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'an invalid date' : d.toISOString();
}
