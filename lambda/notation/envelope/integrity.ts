import { NOTATION_COSE_MEDIA_TYPE, NOTATION_JWS_MEDIA_TYPE } from '../types';
import { malformed } from '../failure';
import { NOTATION_LIMITS } from '../limits';
import { validateCertificateChain } from '../x509/chain';
import { verifyCoseEnvelope } from './cose';
import { verifyJwsEnvelope } from './jws';
import type { VerifiedEnvelope } from './verified-envelope';

/**
 * notation-go's integrity step: parse by the layer's media type, verify the signature with the leaf
 * key, validate the headers, the payload type and the certificate chain's shape (§5, no trust yet).
 */
export async function verifyIntegrity(envelope: Buffer, mediaType: string): Promise<VerifiedEnvelope> {
  if (envelope.length > NOTATION_LIMITS.maxEnvelopeBytes) {
    throw malformed(
      `envelope of ${envelope.length} bytes exceeds the ${NOTATION_LIMITS.maxEnvelopeBytes}-byte cap`,
    );
  }
  let verified: VerifiedEnvelope;
  if (mediaType === NOTATION_JWS_MEDIA_TYPE) verified = await verifyJwsEnvelope(envelope);
  else if (mediaType === NOTATION_COSE_MEDIA_TYPE) verified = verifyCoseEnvelope(envelope);
  else {
    throw malformed(
      `layer media type ${JSON.stringify(mediaType)} is not a Notation envelope (${NOTATION_JWS_MEDIA_TYPE} or ${NOTATION_COSE_MEDIA_TYPE})`,
    );
  }
  validateCertificateChain(verified.chain, 'codeSigning', 'integrity');
  return verified;
}
