import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { HashAlgorithm } from '../../../lambda/keys/types';

export type TestKeyKind = 'p256' | 'p384' | 'p521' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ed25519';

/** A signing key pair for tests, with the public key as cosign.pub-style PEM. */
export interface TestKey {
  kind: TestKeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), what `cosign generate-key-pair` writes to cosign.pub. */
  publicKeyPem: string;
  /** DER SPKI, what KMS GetPublicKey returns. */
  spkiDer: Buffer;
  /** The hash cosign uses with this key from KMS (P-384 → sha384, P-521 → sha512, else sha256). */
  defaultHash: HashAlgorithm;
  /** cosign v3 bundle `publicKey.hint`: base64 of SHA-256 of the DER SPKI. */
  hint: string;
}

export const ALL_TEST_KEY_KINDS: readonly TestKeyKind[] = [
  'p256',
  'p384',
  'p521',
  'rsa2048',
  'rsa3072',
  'rsa4096',
  'ed25519',
];

const DEFAULT_HASH: Record<TestKeyKind, HashAlgorithm> = {
  p256: 'sha256',
  p384: 'sha384',
  p521: 'sha512',
  rsa2048: 'sha256',
  rsa3072: 'sha256',
  rsa4096: 'sha256',
  ed25519: 'sha256',
};

function generatePair(kind: TestKeyKind): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (kind) {
    case 'p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'rsa2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
    case 'rsa4096':
      return generateKeyPairSync('rsa', { modulusLength: 4096 });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

/** A fresh key pair (RSA-4096 takes a moment; prefer sharedTestKey when any key of the kind will do). */
export function generateTestKey(kind: TestKeyKind): TestKey {
  const { privateKey, publicKey } = generatePair(kind);
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    kind,
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    spkiDer,
    defaultHash: DEFAULT_HASH[kind],
    hint: createHash('sha256').update(spkiDer).digest('base64'),
  };
}

const shared = new Map<TestKeyKind, TestKey>();

/** One key per kind per test process. */
export function sharedTestKey(kind: TestKeyKind): TestKey {
  let key = shared.get(kind);
  if (key === undefined) {
    key = generateTestKey(kind);
    shared.set(kind, key);
  }
  return key;
}
