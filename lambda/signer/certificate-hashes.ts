/**
 * The `certificateHashes` AWS Signer's GetRevocationStatus takes, computed as the AWS Signer Notation
 * plugin does (hashCertificates): for each certificate of the x5c chain, in order, the lower-case hex
 * SHA-384 of its TBSCertificate followed by that of its issuer's (the next one); the root is paired
 * with itself. The TBS bytes are taken as received (pkijs), never re-encoded.
 */
import { createHash } from 'node:crypto';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

export async function awsSignerCertificateHashes(chain: readonly Buffer[]): Promise<string[]> {
  if (chain.length === 0) {
    throw new GuardError(ReasonCode.SIGNATURE_MALFORMED, 'the certificate chain is empty');
  }
  // Loaded only when an AWS Signer signature is checked: pkijs is not part of a cosign-only start.
  const { Certificate } = await import('pkijs');
  const tbsHashes = chain.map((der, i) => {
    let tbs: Uint8Array;
    try {
      tbs = Certificate.fromBER(new Uint8Array(der)).tbsView;
    } catch (e) {
      throw new GuardError(
        ReasonCode.SIGNATURE_MALFORMED,
        `certificate ${i} of the chain is not a DER X.509 certificate: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return createHash('sha384').update(tbs).digest('hex');
  });
  return tbsHashes.map((hash, i) => hash + (tbsHashes[i + 1] ?? hash));
}
