import type { NotationFormat, TargetDescriptor } from '../types';
import { invalid, malformed, unsupported } from '../failure';
import { NOTATION_LIMITS } from '../limits';
import { algorithmForKey, isNotationAlgorithm, type NotationAlgorithm } from '../x509/algorithms';
import { CertificateParseError, parseCertificate, type ParsedCertificate } from '../x509/certificate';
import type { SignedAttributes } from './headers';

/** An envelope whose signature verified with its leaf key and whose headers and payload are valid. */
export interface VerifiedEnvelope {
  format: NotationFormat;
  algorithm: NotationAlgorithm;
  attributes: SignedAttributes;
  /** The descriptor the signed payload names. */
  target: TargetDescriptor;
  /** The raw signature bytes (an RFC 3161 token's messageImprint is over them). */
  signature: Buffer;
  /** x5c / x5chain, leaf first. */
  chain: ParsedCertificate[];
  /** Unprotected RFC 3161 TimeStampToken, if any (unsigned: it carries its own signature). */
  timestampToken: Buffer | undefined;
}

/** Parses the x5c / x5chain DER certificates, capped in number and size. */
export function parseCertificateChain<T>(
  entries: readonly T[],
  toDer: (entry: T, index: number) => Buffer,
): ParsedCertificate[] {
  if (entries.length === 0) throw malformed('the envelope carries no certificate chain');
  if (entries.length > NOTATION_LIMITS.maxChainLength) {
    throw malformed(
      `certificate chain of ${entries.length} certificates exceeds the cap of ${NOTATION_LIMITS.maxChainLength}`,
    );
  }
  const ders = entries.map(toDer);
  return ders.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw malformed(
        `certificate ${i} of the chain: ${e instanceof CertificateParseError ? e.message : String(e)}`,
      );
    }
  });
}

/**
 * The algorithm is derived from the leaf key; the header's must be a Notation algorithm (else
 * unsupported) and equal to it (else the signature is rejected as an algorithm substitution).
 */
export function leafAlgorithm(
  leaf: ParsedCertificate,
  headerAlg: unknown,
  headerName: string,
): NotationAlgorithm {
  if (!isNotationAlgorithm(headerAlg)) {
    throw unsupported(
      `signature algorithm ${JSON.stringify(headerAlg)} (${headerName}) is not one Notation allows`,
    );
  }
  const derived = algorithmForKey(leaf.x509.publicKey);
  if (!isNotationAlgorithm(derived)) {
    throw unsupported(
      `the signing certificate has ${derived}; Notation accepts RSA 2048/3072/4096 and EC P-256/P-384/P-521 only`,
    );
  }
  if (derived !== headerAlg) {
    throw invalid(
      'integrity',
      `the header declares ${headerAlg} but the signing certificate's key requires ${derived} (algorithm substitution)`,
    );
  }
  return derived;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 7515 base64url without padding, as Go's RawURLEncoding: anything else is rejected, not repaired. */
export function decodeBase64Url(value: unknown, what: string): Buffer {
  if (typeof value !== 'string') throw malformed(`${what} is not a string`);
  if (!BASE64URL.test(value) || value.length % 4 === 1) {
    throw malformed(`${what} is not unpadded base64url (RFC 7515); it is never re-encoded before verifying`);
  }
  return Buffer.from(value, 'base64url');
}

/** Standard padded base64 (x5c, RFC 7515 §4.1.6; the timestamp token). */
export function decodeBase64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw malformed(`${what} is not standard base64`);
  return Buffer.from(value, 'base64');
}
