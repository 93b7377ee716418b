import { createHash, sign } from 'node:crypto';
import fc from 'fast-check';
import { NIST_CURVES } from '../../lambda/keys/ecdsa-curves';
import { ecdsaVerifyDigest, parseDerSignature } from '../../lambda/keys/ecdsa-prehashed';
import { parsePemKey } from '../../lambda/keys/pem-key';
import { verifyPrehashedSignature } from '../../lambda/keys/verify-prehashed';
import type { HashAlgorithm } from '../../lambda/keys/types';
import { sharedTestKey, signBytes, type TestKeyKind } from '../support/signer';

const trusted = (kind: TestKeyKind, hashAlgorithm: HashAlgorithm) =>
  parsePemKey({ name: kind, pem: sharedTestKey(kind).publicKeyPem, source: 'test', hashAlgorithm });

const digest = (hash: HashAlgorithm, data: Buffer) => createHash(hash).update(data).digest();

describe('NIST curve constants', () => {
  it.each(Object.entries(NIST_CURVES))('%s: the base point lies on y² = x³ − 3x + b', (_name, c) => {
    const mod = (a: bigint) => ((a % c.p) + c.p) % c.p;
    expect(mod(c.gy * c.gy - (c.gx * c.gx * c.gx - 3n * c.gx + c.b))).toBe(0n);
  });
});

describe('verifyPrehashedSignature (node:crypto as the oracle)', () => {
  const cases: [TestKeyKind, HashAlgorithm][] = [
    ['p256', 'sha256'],
    ['p384', 'sha384'],
    ['p384', 'sha256'],
    ['p521', 'sha512'],
    ['p521', 'sha256'],
    ['rsa2048', 'sha256'],
    ['rsa4096', 'sha256'],
    ['rsa2048', 'sha512'],
  ];

  it.each(cases)('%s/%s: a signature over a message verifies from the message digest alone', (kind, hash) => {
    const testKey = sharedTestKey(kind);
    const key = trusted(kind, hash);
    for (let i = 0; i < 5; i++) {
      const message = Buffer.from(`manifest ${i} ${kind}`);
      const sig = signBytes(testKey, message, hash);
      expect(verifyPrehashedSignature(key, digest(hash, message), sig)).toBe(true);
      expect(verifyPrehashedSignature(key, digest(hash, Buffer.from(`other ${i}`)), sig)).toBe(false);
    }
  });

  it('the digest length must match the key hash', () => {
    const sig = signBytes(sharedTestKey('p256'), Buffer.from('m'), 'sha256');
    expect(verifyPrehashedSignature(trusted('p256', 'sha384'), digest('sha256', Buffer.from('m')), sig)).toBe(
      false,
    );
  });

  it('Ed25519 cannot be verified from a digest', () => {
    const ed = sharedTestKey('ed25519');
    const sig = signBytes(ed, Buffer.from('m'), 'sha256');
    expect(
      verifyPrehashedSignature(trusted('ed25519', 'sha256'), digest('sha256', Buffer.from('m')), sig),
    ).toBe(false);
  });

  it('RSA: a PSS signature or a wrong-length signature is refused', () => {
    const rsa = sharedTestKey('rsa2048');
    const d = digest('sha256', Buffer.from('m'));
    expect(
      verifyPrehashedSignature(
        trusted('rsa2048', 'sha256'),
        d,
        signBytes(rsa, Buffer.from('m'), 'sha256', 'pss'),
      ),
    ).toBe(false);
    const good = signBytes(rsa, Buffer.from('m'), 'sha256');
    expect(verifyPrehashedSignature(trusted('rsa2048', 'sha256'), d, good.subarray(1))).toBe(false);
    expect(
      verifyPrehashedSignature(trusted('rsa2048', 'sha256'), d, Buffer.concat([Buffer.alloc(1), good])),
    ).toBe(false);
  });

  it('property: ECDSA P-256 — verifies exactly the signed digest; any flip of digest or signature fails', () => {
    const testKey = sharedTestKey('p256');
    const key = trusted('p256', 'sha256');
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (bytes, at, x, flipSig) => {
          const message = Buffer.from(bytes);
          const sig = sign('sha256', message, testKey.privateKey);
          const d = digest('sha256', message);
          if (!verifyPrehashedSignature(key, d, sig)) return false;
          const target = Buffer.from(flipSig ? sig : d);
          const i = at % target.length;
          target[i] = (target[i] ?? 0) ^ x;
          return flipSig
            ? !verifyPrehashedSignature(key, d, target)
            : !verifyPrehashedSignature(key, target, sig);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('ECDSA DER parsing is strict', () => {
  const p256 = sharedTestKey('p256');
  const message = Buffer.from('m');
  const d = digest('sha256', message);
  const n = NIST_CURVES.prime256v1?.n ?? 0n;
  const int = (v: bigint): Buffer => {
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, 'hex');
    if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.alloc(1), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const seq = (...parts: Buffer[]): Buffer => {
    const body = Buffer.concat(parts);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  };

  it('parses what node:crypto writes', () => {
    const sig = sign('sha256', message, p256.privateKey);
    const rs = parseDerSignature(sig);
    expect(rs).toBeDefined();
    expect(seq(int(rs?.[0] ?? 0n), int(rs?.[1] ?? 0n)).equals(sig)).toBe(true);
  });

  it('refuses trailing bytes, wrong tags, r or s out of range, negative and non-minimal integers', () => {
    const sig = sign('sha256', message, p256.privateKey);
    const [r, s] = parseDerSignature(sig) ?? [0n, 0n];
    const bad: Buffer[] = [
      Buffer.concat([sig, Buffer.alloc(1)]),
      Buffer.concat([Buffer.from([0x31]), sig.subarray(1)]),
      seq(int(0n), int(s)),
      seq(int(r), int(0n)),
      seq(int(r), int(s + n)),
      seq(int(r + n), int(s)),
      seq(Buffer.from([0x02, 0x01, 0x80]), int(s)),
      seq(Buffer.concat([Buffer.from([0x02, 0x02, 0x00, 0x01])]), int(s)),
      Buffer.alloc(0),
    ];
    for (const b of bad) expect(ecdsaVerifyDigest(p256.publicKey, d, b)).toBe(false);
    expect(ecdsaVerifyDigest(p256.publicKey, d, seq(int(r), int(s)))).toBe(true);
  });
});
