import { createHash } from 'node:crypto';

/**
 * GetRevocationStatus `certificateHashes` (aws-signer-notation-plugin hashCertificates): for each
 * certificate in x5c order, hex SHA-384 of its DER TBSCertificate followed by that of its issuer (the
 * next certificate); the root is paired with itself.
 */
export function awsSignerCertificateHashes(tbsCertificates: readonly Buffer[]): string[] {
  const hashes = tbsCertificates.map((tbs) => createHash('sha384').update(tbs).digest('hex'));
  return hashes.map((hash, i) => hash + (hashes[i + 1] ?? hash));
}
