import { createHash, type KeyObject } from 'node:crypto';

/** DER SubjectPublicKeyInfo of a public key: the canonical bytes a key is identified by. */
export function spkiDer(publicKey: KeyObject): Buffer {
  return publicKey.export({ type: 'spki', format: 'der' });
}

/** Lower-case hex SHA-256 of the DER SPKI (the Rekor logID rule, and cosign's key hint before base64). */
export function spkiFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(spkiDer(publicKey)).digest('hex');
}
