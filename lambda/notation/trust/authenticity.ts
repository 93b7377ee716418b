import { invalid } from '../failure';
import type { TrustStoreType } from '../types';
import { parseStoreCertificate, type ParsedCertificate } from '../x509/certificate';

function isSelfSigned(cert: ParsedCertificate): boolean {
  try {
    return cert.rawSubject.equals(cert.rawIssuer) && cert.x509.verify(cert.x509.publicKey);
  } catch {
    return false;
  }
}

/** notation-go's trust store accepts only CA or self-signed certificates; anything else never anchors trust. */
function usableAnchor(der: Buffer): boolean {
  const parsed = parseStoreCertificate(der);
  return !(parsed instanceof Error) && (parsed.basicConstraints?.ca === true || isSelfSigned(parsed));
}

/**
 * notation-core-go VerifyAuthenticity: the signature is authentic iff some certificate of the
 * (already verified, self-rooted) chain is byte-equal to a certificate of a trust store of the type
 * the signing scheme names. Returns the matching store certificate.
 */
export function verifyAuthenticity(
  chain: readonly ParsedCertificate[],
  storeCertificates: readonly Buffer[],
  storeType: TrustStoreType,
): Buffer {
  const anchors = storeCertificates.filter(usableAnchor);
  if (anchors.length === 0) {
    throw invalid(
      'authenticity',
      `no trusted certificates: the policy has no usable "${storeType}" trust store certificate for this signing scheme`,
    );
  }
  for (const cert of chain) {
    const anchor = anchors.find((a) => a.equals(cert.der));
    if (anchor !== undefined) return anchor;
  }
  throw invalid(
    'authenticity',
    `no certificate of the signature's chain (root "${chain[chain.length - 1]?.subject ?? ''}") is in the "${storeType}" trust store`,
  );
}
