import { createHash, sign } from 'node:crypto';
import fc from 'fast-check';
import { parsePemKey } from '../../lambda/keys/pem-key';
import { verifySignature } from '../../lambda/keys/verify-signature';
import type { HashAlgorithm } from '../../lambda/keys/types';
import { ALL_TEST_KEY_KINDS, sharedTestKey, signBytes, type TestKeyKind } from '../support/signer';

const trusted = (kind: TestKeyKind, hashAlgorithm?: HashAlgorithm) =>
  parsePemKey({
    name: kind,
    pem: sharedTestKey(kind).publicKeyPem,
    source: 'test',
    ...(hashAlgorithm === undefined ? {} : { hashAlgorithm }),
  });

const DATA = Buffer.from('{"critical":{}}');

describe('verifySignature', () => {
  it.each(ALL_TEST_KEY_KINDS)(
    '%s: verifies its own signature made with the key hash, rejects others',
    (kind) => {
      const testKey = sharedTestKey(kind);
      const key = trusted(kind, testKey.defaultHash);
      const sig = signBytes(testKey, DATA, testKey.defaultHash);
      expect(verifySignature(key, DATA, sig)).toBe(true);
      expect(verifySignature(key, Buffer.from('{"critical":{} }'), sig)).toBe(false);
      const otherKind: TestKeyKind = kind === 'p256' ? 'p384' : 'p256';
      expect(verifySignature(trusted(otherKind), DATA, sig)).toBe(false);
    },
  );

  describe('the hash is explicit, never Node’s SHA-256 default (P-384 with a PEM key)', () => {
    const p384 = sharedTestKey('p384');
    const sha256Sig = signBytes(p384, DATA, 'sha256');
    const sha384Sig = signBytes(p384, DATA, 'sha384');

    it('a PEM key with the default sha256 verifies a SHA-256 P-384 signature and fails a SHA-384 one', () => {
      const key = trusted('p384');
      expect(key.hashAlgorithm).toBe('sha256');
      expect(verifySignature(key, DATA, sha256Sig)).toBe(true);
      expect(verifySignature(key, DATA, sha384Sig)).toBe(false);
    });

    it('with hashAlgorithm sha384 it is the other way round', () => {
      const key = trusted('p384', 'sha384');
      expect(verifySignature(key, DATA, sha384Sig)).toBe(true);
      expect(verifySignature(key, DATA, sha256Sig)).toBe(false);
    });

    it('P-521 with SHA-512 only verifies when told sha512', () => {
      const sig = signBytes(sharedTestKey('p521'), DATA, 'sha512');
      expect(verifySignature(trusted('p521'), DATA, sig)).toBe(false);
      expect(verifySignature(trusted('p521', 'sha512'), DATA, sig)).toBe(true);
    });

    it('RSA uses the configured hash too', () => {
      const sig = signBytes(sharedTestKey('rsa2048'), DATA, 'sha384');
      expect(verifySignature(trusted('rsa2048'), DATA, sig)).toBe(false);
      expect(verifySignature(trusted('rsa2048', 'sha384'), DATA, sig)).toBe(true);
    });
  });

  it('RSA: PKCS#1 v1.5 only — a PSS signature by the same key is refused', () => {
    const rsa = sharedTestKey('rsa2048');
    expect(verifySignature(trusted('rsa2048'), DATA, signBytes(rsa, DATA, 'sha256', 'pkcs1'))).toBe(true);
    expect(verifySignature(trusted('rsa2048'), DATA, signBytes(rsa, DATA, 'sha256', 'pss'))).toBe(false);
  });

  it('ECDSA signatures are DER; the IEEE P1363 (r||s) form is refused', () => {
    const p256 = sharedTestKey('p256');
    const p1363 = sign('sha256', DATA, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifySignature(trusted('p256'), DATA, p1363)).toBe(false);
  });

  it.each(ALL_TEST_KEY_KINDS)('%s: garbage signatures return false, never throw', (kind) => {
    const key = trusted(kind);
    for (const garbage of [
      Buffer.alloc(0),
      Buffer.from('x'),
      Buffer.alloc(4096, 0xff),
      createHash('sha512').update('z').digest(),
    ]) {
      expect(verifySignature(key, DATA, garbage)).toBe(false);
    }
  });

  it('property: any byte flip in data or signature fails (P-256, RSA-2048, Ed25519)', () => {
    for (const kind of ['p256', 'rsa2048', 'ed25519'] as const) {
      const testKey = sharedTestKey(kind);
      const key = trusted(kind);
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          (bytes, at, x, flipSig) => {
            const data = Buffer.from(bytes);
            const sig = signBytes(testKey, data, 'sha256');
            if (!verifySignature(key, data, sig)) return false;
            const target = Buffer.from(flipSig ? sig : data);
            const i = at % target.length;
            target[i] = (target[i] ?? 0) ^ x;
            return flipSig ? !verifySignature(key, data, target) : !verifySignature(key, target, sig);
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});
