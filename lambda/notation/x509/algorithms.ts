import type { KeyObject } from 'node:crypto';

/** The signature algorithms of the Notary Project signature specification (RSASSA-PSS and ECDSA). */
export type NotationAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export const NOTATION_ALGORITHMS: readonly NotationAlgorithm[] = [
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

export function isNotationAlgorithm(value: unknown): value is NotationAlgorithm {
  return typeof value === 'string' && (NOTATION_ALGORITHMS as readonly string[]).includes(value);
}

/** The node:crypto hash each algorithm signs with. */
export function hashOf(alg: NotationAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return alg.endsWith('256') ? 'sha256' : alg.endsWith('384') ? 'sha384' : 'sha512';
}

/**
 * The one algorithm a leaf key may sign with (spec "Algorithm Selection"; notation-core-go
 * ExtractKeySpec): RSA 2048/3072/4096 → PS256/384/512, EC P-256/384/521 → ES256/384/512.
 * Anything else is unsupported: the returned string says what the key is.
 */
export function algorithmForKey(key: KeyObject): NotationAlgorithm | string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength;
    if (bits === 2048) return 'PS256';
    if (bits === 3072) return 'PS384';
    if (bits === 4096) return 'PS512';
    return `an RSA key of ${String(bits)} bits`;
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
    if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
    return `an EC key on curve ${String(curve)}`;
  }
  return `a ${String(key.asymmetricKeyType)} key`;
}

/**
 * Certificate signature algorithms Go's crypto/x509 refuses (MD2/MD5/SHA-1), so notation-go cannot
 * verify a chain that uses them; the spec bans SHA-1 outright.
 */
export const INSECURE_CERTIFICATE_SIGNATURE_OIDS: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.1.2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.4', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3', // dsa-with-sha1
  '1.3.14.3.2.29', // sha1WithRSASignature (OIW)
]);
