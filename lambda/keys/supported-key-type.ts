import type { KeyObject } from 'node:crypto';

/** Curves cosign can verify with (Go's crypto/ecdsa via x509): NIST P-256, P-384, P-521. */
const SUPPORTED_CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

export const MIN_RSA_BITS = 2048;
/** Larger moduli only cost CPU for every verification; no real signer uses them. */
export const MAX_RSA_BITS = 8192;

/**
 * Why a public key cannot be used to verify cosign signatures, or undefined when it can.
 * Accepts what cosign verifies with a PEM or KMS key: ECDSA on NIST curves, RSA (PKCS#1 v1.5)
 * of at least 2048 bits, and Ed25519.
 */
export function unsupportedKeyReason(publicKey: KeyObject): string | undefined {
  if (publicKey.type !== 'public') return 'it is not a public key';
  const details = publicKey.asymmetricKeyDetails ?? {};
  switch (publicKey.asymmetricKeyType) {
    case 'ec': {
      const curve = details.namedCurve;
      if (curve !== undefined && SUPPORTED_CURVES[curve] !== undefined) return undefined;
      return `EC curve ${curve ?? 'unknown'} is not supported (use P-256, P-384 or P-521)`;
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS)
        return `RSA key of ${bits} bits is too small (at least ${MIN_RSA_BITS} required)`;
      if (bits > MAX_RSA_BITS) return `RSA key of ${bits} bits is too large (at most ${MAX_RSA_BITS})`;
      return undefined;
    }
    case 'ed25519':
      return undefined;
    case 'rsa-pss':
      return 'RSASSA-PSS keys are not supported (cosign signs with RSA keys using PKCS#1 v1.5)';
    default:
      return `${publicKey.asymmetricKeyType ?? 'unknown'} keys are not supported`;
  }
}
