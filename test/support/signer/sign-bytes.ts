import { constants, sign } from 'node:crypto';
import type { HashAlgorithm } from '../../../lambda/keys/types';
import type { TestKey } from './test-keys';

export type RsaPadding = 'pkcs1' | 'pss';

/**
 * Signs like cosign: ECDSA with a DER signature, RSA with PKCS#1 v1.5 (or PSS, to produce a signature
 * cosign would never make), Ed25519 over the message itself. The hash is always explicit.
 */
export function signBytes(
  key: TestKey,
  data: Buffer,
  hash: HashAlgorithm,
  rsaPadding: RsaPadding = 'pkcs1',
): Buffer {
  switch (key.kind) {
    case 'ed25519':
      return sign(null, data, key.privateKey);
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      return sign(hash, data, {
        key: key.privateKey,
        padding: rsaPadding === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING,
        ...(rsaPadding === 'pss' ? { saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {}),
      });
    default:
      return sign(hash, data, { key: key.privateKey, dsaEncoding: 'der' });
  }
}

/** Flips the lowest bit of the byte at `index` (negative counts from the end); returns a copy. */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  const i = index < 0 ? copy.length + index : index;
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}

/** Standard base64 wrapped every 76 characters with `\n` (MIME style), as some signers write it. */
export function base64WithLineBreaks(bytes: Buffer): string {
  return `${(bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n')}\n`;
}
