import { parsePemKey } from '../../keys/pem-key';
import type { RekorKey } from '../types';

/**
 * The public-good Rekor (v1) log key, rekor.sigstore.dev — the production trust root for SETs.
 * logID c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d (sha256 of its DER SPKI).
 */
export const PUBLIC_GOOD_REKOR_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr
kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==
-----END PUBLIC KEY-----
`;

/** A transparency log key from PEM; its logId is the hex SHA-256 of the DER SPKI. Throws KEY_UNAVAILABLE. */
export function parseRekorKey(pem: string, source = 'rekor public key'): RekorKey {
  const key = parsePemKey({ name: 'rekor', pem, source });
  return { logId: key.fingerprint, publicKey: key.publicKey };
}

/** Frozen so no caller can add a log to the production trust root by accident. */
export const PUBLIC_GOOD_REKOR_KEYS: readonly RekorKey[] = Object.freeze([
  parseRekorKey(PUBLIC_GOOD_REKOR_PEM, 'public-good Rekor'),
]);

/** A fresh, mutable copy of the public-good keys, e.g. for `TlogOptions.rekorKeys`. */
export function publicGoodRekorKeys(): RekorKey[] {
  return [...PUBLIC_GOOD_REKOR_KEYS];
}
