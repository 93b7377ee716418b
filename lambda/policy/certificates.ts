/**
 * Trust-store certificates for Notation signers: read (PEM with one or more CERTIFICATE blocks, or DER,
 * one or several concatenated), parsed with node:crypto's X509Certificate, checked the way notation-go
 * checks a trust store (`ca`/`signingAuthority`: each certificate a CA or self-signed; `tsa`: each a
 * self-signed root CA), and written back as canonical PEM so the compiled policy (and its hash) does not
 * depend on line ends, order of whitespace or PEM vs DER.
 */
import { X509Certificate } from 'node:crypto';
import type { TrustStoreType } from '../notation/types';

export const TRUST_STORE_TYPES = [
  'ca',
  'signingAuthority',
  'tsa',
] as const satisfies readonly TrustStoreType[];

/** A trust store is a few roots; this also bounds the work a hostile file can cause. */
export const MAX_CERTIFICATES_PER_STORE = 50;

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n?([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;
const BEGIN_LINE = /-----BEGIN [A-Z0-9 ]+-----/g;
const OTHER_BEGIN = /-----BEGIN (?!CERTIFICATE-----)([A-Z0-9 ]+)-----/;

export type CertificatesRead = { ok: true; certificates: X509Certificate[] } | { ok: false; problem: string };

/** Reads PEM text holding one or more `CERTIFICATE` blocks (nothing else). */
export function readPemCertificates(text: string): CertificatesRead {
  if (/PRIVATE KEY-----/.test(text)) {
    return { ok: false, problem: 'holds a PRIVATE key; a trust store holds certificates only' };
  }
  if (!text.trim().startsWith('-----BEGIN ')) {
    return { ok: false, problem: 'is not PEM: expected "-----BEGIN CERTIFICATE-----" blocks' };
  }
  const other = OTHER_BEGIN.exec(text);
  if (other !== null) {
    return { ok: false, problem: `has a "${other[1]}" block; a trust store holds certificate blocks only` };
  }
  const blocks = [...text.matchAll(CERT_BLOCK)];
  if (blocks.length !== [...text.matchAll(BEGIN_LINE)].length) {
    return {
      ok: false,
      problem: 'has a "-----BEGIN CERTIFICATE-----" line without its "-----END CERTIFICATE-----"',
    };
  }
  if (blocks.length > MAX_CERTIFICATES_PER_STORE) return tooMany();
  const ders = blocks.map((m) => Buffer.from((m[1] as string).replace(/\s/g, ''), 'base64'));
  if (ders.length === 0)
    return { ok: false, problem: 'has no complete "-----BEGIN/END CERTIFICATE-----" block' };
  return parseAll(ders);
}

/** Reads a certificate file as notation does: PEM if it looks like PEM, else DER (concatenated allowed). */
export function readCertificateFile(bytes: Buffer): CertificatesRead {
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('-----BEGIN ')) return readPemCertificates(bytes.toString('utf8'));
  const ders = splitDer(bytes);
  if (typeof ders === 'string') return { ok: false, problem: ders };
  return parseAll(ders);
}

/**
 * Why `cert` may not be in a store of `type`, or undefined. notation-go (verifier/truststore): every
 * certificate is a CA or a self-signed signing certificate; a `tsa` certificate must be a root CA.
 */
export function trustStoreCertificateProblem(
  cert: X509Certificate,
  type: TrustStoreType,
): string | undefined {
  const selfSigned = isSelfSigned(cert);
  if (type === 'tsa') {
    if (!cert.ca || !selfSigned) {
      return `certificate "${subjectLine(cert)}" is not a self-signed root CA; a tsa store holds TSA root certificates only`;
    }
    return undefined;
  }
  if (!cert.ca && !selfSigned) {
    return `certificate "${subjectLine(cert)}" is neither a CA nor self-signed; a ${type} store holds root or intermediate CA certificates, or a self-signed signing certificate`;
  }
  return undefined;
}

/** Canonical PEM: each certificate's DER in base64, 64 characters a line, LF, one final newline. */
export function certificatesPem(certificates: readonly X509Certificate[]): string {
  return certificates
    .map((c) => {
      const b64 = c.raw.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
      return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/** DER of every CERTIFICATE block of canonical (already validated) PEM: the form verifiers take. */
export function pemToDer(pem: string): Buffer[] {
  return [...pem.matchAll(CERT_BLOCK)].map((m) => Buffer.from((m[1] as string).replace(/\s/g, ''), 'base64'));
}

export function subjectLine(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** Signed with its own key: notation-go's test for a non-CA trust-store certificate (truststore.go). */
function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function parseAll(ders: Buffer[]): CertificatesRead {
  const certificates: X509Certificate[] = [];
  for (const [i, der] of ders.entries()) {
    try {
      certificates.push(new X509Certificate(der));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { ok: false, problem: `certificate ${i + 1} cannot be parsed (${why})` };
    }
  }
  return { ok: true, certificates };
}

/**
 * Splits concatenated DER certificates by their outer SEQUENCE header (framing only; each piece is
 * then parsed by X509Certificate). Long-form lengths up to 4 bytes; nothing else is interpreted.
 */
function splitDer(bytes: Buffer): Buffer[] | string {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length >= MAX_CERTIFICATES_PER_STORE) return tooMany().problem;
    if (bytes[at] !== 0x30) return 'is neither PEM nor DER certificates';
    const first = bytes[at + 1];
    if (first === undefined) return 'is truncated DER';
    let length: number;
    let header: number;
    if (first < 0x80) {
      length = first;
      header = 2;
    } else {
      const count = first & 0x7f;
      if (count === 0 || count > 4 || at + 2 + count > bytes.length)
        return 'is neither PEM nor DER certificates';
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[at + 2 + i] as number);
      header = 2 + count;
    }
    const end = at + header + length;
    if (end > bytes.length) return 'is truncated DER';
    out.push(bytes.subarray(at, end));
    at = end;
  }
  if (out.length === 0) return 'is empty';
  return out;
}

function tooMany(): { ok: false; problem: string } {
  return { ok: false, problem: `holds more than ${MAX_CERTIFICATES_PER_STORE} certificates` };
}
