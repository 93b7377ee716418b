import { constants, verify } from 'node:crypto';
import type { TrustedKey } from './types';

/**
 * Verifies `signature` over `data` the way cosign does for this key: ECDSA (DER) or RSA PKCS#1 v1.5
 * with the key's hash — always passed explicitly, because Node silently defaults to SHA-256 — or
 * pure Ed25519. Returns false for any signature that does not verify, including garbage; never throws.
 */
export function verifySignature(key: TrustedKey, data: Buffer, signature: Buffer): boolean {
  if (signature.length === 0) return false;
  try {
    switch (key.publicKey.asymmetricKeyType) {
      case 'ec':
        return verify(key.hashAlgorithm, data, { key: key.publicKey, dsaEncoding: 'der' }, signature);
      case 'rsa':
        return verify(
          key.hashAlgorithm,
          data,
          { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING },
          signature,
        );
      case 'ed25519':
        return verify(null, data, key.publicKey, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
