import { constants, publicDecrypt, timingSafeEqual } from 'node:crypto';
import { ecdsaVerifyDigest } from './ecdsa-prehashed';
import type { HashAlgorithm, TrustedKey } from './types';

const DIGEST_LENGTH: Record<HashAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** DER DigestInfo headers (RFC 8017 9.2 note 1) that PKCS#1 v1.5 signatures wrap around the digest. */
const DIGEST_INFO_PREFIX: Record<HashAlgorithm, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/**
 * Verifies a signature given only the digest of the signed message (computed with the key's hash).
 * ECDSA and RSA PKCS#1 v1.5 support this; pure Ed25519 signs the message itself, so it cannot be
 * verified from a digest and always returns false. Never throws.
 */
export function verifyPrehashedSignature(key: TrustedKey, digest: Buffer, signature: Buffer): boolean {
  if (digest.length !== DIGEST_LENGTH[key.hashAlgorithm] || signature.length === 0) return false;
  try {
    switch (key.publicKey.asymmetricKeyType) {
      case 'ec':
        return ecdsaVerifyDigest(key.publicKey, digest, signature);
      case 'rsa': {
        const modulusBytes = Math.ceil((key.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
        if (signature.length !== modulusBytes) return false;
        const recovered = publicDecrypt(
          { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING },
          signature,
        );
        const expected = Buffer.concat([DIGEST_INFO_PREFIX[key.hashAlgorithm], digest]);
        return recovered.length === expected.length && timingSafeEqual(recovered, expected);
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}
