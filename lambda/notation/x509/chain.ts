import { ReasonCode } from '../../reasons';
import { NotationCheckFailure } from '../failure';
import type { NotationCheckName } from '../types';
import { algorithmForKey, INSECURE_CERTIFICATE_SIGNATURE_OIDS, isNotationAlgorithm } from './algorithms';
import type { KeyUsageName, ParsedCertificate } from './certificate';

const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
export const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const EKU_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const EKU_ANY = '2.5.29.37.0';

/** Leaf EKUs that make a certificate unfit for code signing (notation-core-go plus the spec's anyExtendedKeyUsage). */
const CODE_SIGNING_EXCLUDED_EKUS: Readonly<Record<string, string>> = {
  [EKU_SERVER_AUTH]: 'serverAuth',
  [EKU_CLIENT_AUTH]: 'clientAuth',
  [EKU_EMAIL_PROTECTION]: 'emailProtection',
  [EKU_TIME_STAMPING]: 'timeStamping',
  [EKU_OCSP_SIGNING]: 'OCSPSigning',
  [EKU_ANY]: 'anyExtendedKeyUsage',
};

const LEAF_FORBIDDEN_KEY_USAGES: readonly KeyUsageName[] = [
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Which chain: the signing chain (x5c) or a timestamp token's TSA chain; they differ in the leaf rules. */
export type ChainPurpose = 'codeSigning' | 'timestamping';

function fail(check: NotationCheckName, message: string): NotationCheckFailure {
  return new NotationCheckFailure(check, ReasonCode.SIGNATURE_INVALID, message);
}

function signatureVerifies(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * notation-core-go isIssuedBy: the signature verifies with the parent's key and does not use a broken
 * hash, and the child's raw issuer equals the parent's raw subject. (Go's CheckSignatureFrom also wants
 * the parent to be a CA with keyCertSign; every parent here must pass checkCa, which asks the same.)
 */
export function isIssuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (INSECURE_CERTIFICATE_SIGNATURE_OIDS.has(cert.signatureAlgorithmOid)) return false;
  return signatureVerifies(cert, issuer) && cert.rawIssuer.equals(issuer.rawSubject);
}

function checkLeaf(cert: ParsedCertificate, purpose: ChainPurpose, check: NotationCheckName): void {
  const who = `leaf certificate "${cert.subject}"`;
  if (cert.basicConstraints?.ca === true) throw fail(check, `${who} is a CA (basicConstraints CA=true)`);
  if (cert.keyUsage === undefined) throw fail(check, `${who} has no key usage extension`);
  // The code-signing profile requires a critical key usage; RFC 3161 TSA leafs only need it present.
  if (purpose === 'codeSigning' && !cert.keyUsage.critical) {
    throw fail(check, `${who}: the key usage extension must be critical`);
  }
  if (!cert.keyUsage.has('digitalSignature')) throw fail(check, `${who}: key usage lacks digitalSignature`);
  const extra = LEAF_FORBIDDEN_KEY_USAGES.filter((bit) => cert.keyUsage?.has(bit));
  if (extra.length > 0)
    throw fail(check, `${who}: key usage must be digitalSignature only, found ${extra.join(', ')}`);

  if (purpose === 'codeSigning') {
    for (const purposeOid of cert.extKeyUsage?.purposes ?? []) {
      const name = CODE_SIGNING_EXCLUDED_EKUS[purposeOid];
      if (name !== undefined)
        throw fail(check, `${who}: extended key usage ${name} is not allowed for code signing`);
    }
  } else {
    // RFC 3161 §2.3: exactly one EKU, id-kp-timeStamping, in a critical extension.
    const eku = cert.extKeyUsage;
    if (eku === undefined || eku.purposes.length !== 1 || eku.purposes[0] !== EKU_TIME_STAMPING) {
      throw fail(check, `TSA ${who} must have timeStamping as its only extended key usage`);
    }
    if (!eku.critical) throw fail(check, `TSA ${who}: the extended key usage extension must be critical`);
  }

  const alg = algorithmForKey(cert.x509.publicKey);
  if (!isNotationAlgorithm(alg)) {
    throw new NotationCheckFailure(
      check,
      purpose === 'codeSigning' ? ReasonCode.UNSUPPORTED_FORMAT : ReasonCode.SIGNATURE_INVALID,
      `${who} has ${alg}; Notation accepts RSA 2048/3072/4096 and EC P-256/P-384/P-521 only`,
    );
  }
}

function checkCa(
  cert: ParsedCertificate,
  certsBelow: number,
  purpose: ChainPurpose,
  check: NotationCheckName,
): void {
  const who = `CA certificate "${cert.subject}"`;
  const bc = cert.basicConstraints;
  if (bc === undefined || !bc.ca) throw fail(check, `${who} lacks basicConstraints CA=true`);
  if (bc.pathLen !== undefined && bc.pathLen < certsBelow - 1) {
    throw fail(check, `${who} allows a path length of ${bc.pathLen}, the chain needs ${certsBelow - 1}`);
  }
  if (cert.keyUsage === undefined) throw fail(check, `${who} has no key usage extension`);
  // notation-core-go requires a critical key usage on code-signing CAs; on TSA CAs it need only be present.
  if (purpose === 'codeSigning' && !cert.keyUsage.critical) {
    throw fail(check, `${who}: the key usage extension must be critical`);
  }
  if (!cert.keyUsage.has('keyCertSign')) throw fail(check, `${who}: key usage lacks keyCertSign`);
}

/**
 * notation-core-go ValidateCodeSigningCertChain / ValidateTimestampingCertChain: ordered leaf → root,
 * each certificate issued by the next, only the last one self-signed (decided by signature, not by
 * names), leaf and CA profiles, no SHA-1. Validity periods are not checked here (see the timestamp
 * step). `check` names the step a failure is reported under.
 */
export function validateCertificateChain(
  chain: readonly ParsedCertificate[],
  purpose: ChainPurpose,
  check: NotationCheckName,
): void {
  if (chain.length === 0) throw fail(check, 'the certificate chain is empty');
  for (const cert of chain) {
    if (INSECURE_CERTIFICATE_SIGNATURE_OIDS.has(cert.signatureAlgorithmOid)) {
      throw fail(check, `certificate "${cert.subject}" is signed with an insecure algorithm (MD5/SHA-1)`);
    }
  }
  if (chain.length === 1) {
    const [only] = chain as [ParsedCertificate];
    if (!signatureVerifies(only, only) || !only.rawSubject.equals(only.rawIssuer)) {
      throw fail(
        check,
        `the only certificate "${only.subject}" is not self-signed, so the chain does not end in a root`,
      );
    }
    checkLeaf(only, purpose, check);
    return;
  }
  chain.forEach((cert, i) => {
    if (i === chain.length - 1) {
      if (!isIssuedBy(cert, cert)) {
        throw fail(check, `the last certificate "${cert.subject}" is not a self-signed root`);
      }
    } else {
      if (isIssuedBy(cert, cert)) {
        throw fail(
          check,
          `certificate ${i} "${cert.subject}" is self-signed but is not the last in the chain`,
        );
      }
      const parent = chain[i + 1] as ParsedCertificate;
      if (!isIssuedBy(cert, parent)) {
        throw fail(
          check,
          `certificate "${cert.subject}" is not issued by the next one in the chain, "${parent.subject}"`,
        );
      }
    }
    if (i === 0) checkLeaf(cert, purpose, check);
    else checkCa(cert, i, purpose, check);
  });
}
