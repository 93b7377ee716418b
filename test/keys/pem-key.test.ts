import { createHash, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parsePemKey } from '../../lambda/keys/pem-key';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { ALL_TEST_KEY_KINDS, sharedTestKey } from '../support/signer';
import { COSIGN_REAL_FIXTURES } from '../support/fixtures';

const FIXTURES = COSIGN_REAL_FIXTURES;
const fixture = (relative: string): string => readFileSync(path.join(FIXTURES, relative), 'utf8');

function errorOf(fn: () => unknown): GuardError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuardError) return e;
    throw new Error(`expected a GuardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an error, got none');
}

const spec = (pem: string) => ({ name: 'ci', pem, source: 'keys/ci.pub' });

describe('parsePemKey', () => {
  it.each(ALL_TEST_KEY_KINDS)('accepts an SPKI %s public key; fingerprint = sha256(DER SPKI)', (kind) => {
    const k = sharedTestKey(kind);
    const key = parsePemKey(spec(k.publicKeyPem));
    expect(key).toMatchObject({ name: 'ci', source: 'keys/ci.pub', hashAlgorithm: 'sha256' });
    expect(key.fingerprint).toBe(createHash('sha256').update(k.spkiDer).digest('hex'));
    expect(key.publicKey.equals(k.publicKey)).toBe(true);
  });

  it('defaults to sha256 (cosign rule for PEM keys) and takes an explicit hash', () => {
    const pem = sharedTestKey('p384').publicKeyPem;
    expect(parsePemKey(spec(pem)).hashAlgorithm).toBe('sha256');
    expect(parsePemKey({ ...spec(pem), hashAlgorithm: 'sha384' }).hashAlgorithm).toBe('sha384');
    expect(parsePemKey({ ...spec(pem), hashAlgorithm: 'sha512' }).hashAlgorithm).toBe('sha512');
  });

  it('accepts a PKCS#1 RSA PUBLIC KEY', () => {
    const k = sharedTestKey('rsa2048');
    const pkcs1 = k.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    expect(parsePemKey(spec(pkcs1)).fingerprint).toBe(parsePemKey(spec(k.publicKeyPem)).fingerprint);
  });

  it('accepts an X.509 certificate and uses its public key', () => {
    const fromCert = parsePemKey(spec(fixture('ci-rsa4096-pkcs1v15-x509/certificate.pem')));
    const fromSpki = parsePemKey(spec(fixture('ci-rsa4096-pkcs1v15-x509/pubkey.pem')));
    expect(fromCert.fingerprint).toBe(fromSpki.fingerprint);
    expect(fromCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('fingerprint of the public-good Rekor key is its published logID', () => {
    expect(parsePemKey(spec(fixture('ci-p256-key-rekor-set/rekor.pub'))).fingerprint).toBe(
      'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
    );
  });

  it('tolerates surrounding text, CRLF line endings and the same key twice', () => {
    const pem = sharedTestKey('p256').publicKeyPem;
    expect(parsePemKey(spec(`# CI key\n${pem.replace(/\n/g, '\r\n')}\n${pem}`)).fingerprint).toBe(
      parsePemKey(spec(pem)).fingerprint,
    );
  });

  describe('refuses, with KEY_UNAVAILABLE naming the key and its source', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsaPrivate = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases: [string, string, RegExp][] = [
      ['an empty PEM', '', /empty/],
      ['whitespace', '  \n\t', /empty/],
      ['garbage', 'hello world', /no PEM block/],
      [
        'a PKCS#8 private key',
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        /PRIVATE key.*never the private key/,
      ],
      ['a SEC1 EC private key', privateKey.export({ type: 'sec1', format: 'pem' }).toString(), /PRIVATE key/],
      [
        'a PKCS#1 RSA private key',
        rsaPrivate.export({ type: 'pkcs1', format: 'pem' }).toString(),
        /PRIVATE key/,
      ],
      [
        'an encrypted private key',
        privateKey
          .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
          .toString(),
        /encrypted PRIVATE key/,
      ],
      [
        "cosign's encrypted private key",
        '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n',
        /encrypted PRIVATE key/,
      ],
      [
        'two different keys',
        sharedTestKey('p256').publicKeyPem + sharedTestKey('p384').publicKeyPem,
        /2 different public keys/,
      ],
      [
        'a certificate chain of different keys',
        fixture('ci-rsa4096-pkcs1v15-x509/chain.pem'),
        /2 different public keys/,
      ],
      [
        'an invalid base64 body',
        '-----BEGIN PUBLIC KEY-----\nMFkw*EwYH\n-----END PUBLIC KEY-----\n',
        /not valid base64/,
      ],
      [
        'a body that is not a key',
        '-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n',
        /cannot be parsed/,
      ],
      [
        'mismatched BEGIN/END',
        '-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END CERTIFICATE-----\n',
        /ends with/,
      ],
      [
        'an unsupported block',
        '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n',
        /unsupported PEM block/,
      ],
      [
        'an encrypted legacy PEM',
        '-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\naGVsbG8=\n-----END PUBLIC KEY-----\n',
        /encrypted/,
      ],
    ];
    it.each(cases)('%s', (_what, pem, message) => {
      const e = errorOf(() => parsePemKey(spec(pem)));
      expect(e.code).toBe(ReasonCode.KEY_UNAVAILABLE);
      expect(e.retryable).toBe(false);
      expect(e.message).toContain('key "ci" (keys/ci.pub)');
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/MII[A-Za-z0-9+/]{20}/); // never echoes key material
    });

    it('RSA keys below 2048 bits', () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
      const e = errorOf(() => parsePemKey(spec(small.export({ type: 'spki', format: 'pem' }).toString())));
      expect(e.message).toMatch(/1024 bits is too small/);
    });

    it.each([
      [
        'secp256k1',
        () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey,
        /secp256k1 is not supported/,
      ],
      [
        'DSA',
        () => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey,
        /dsa keys are not supported/,
      ],
      ['X25519', () => generateKeyPairSync('x25519').publicKey, /x25519 keys are not supported/],
      ['RSA-PSS', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey, /RSASSA-PSS/],
    ] as const)('%s keys', (_what, make, message) => {
      const pem = make().export({ type: 'spki', format: 'pem' }).toString();
      expect(errorOf(() => parsePemKey(spec(pem))).message).toMatch(message);
    });

    it('an unknown hash algorithm', () => {
      const e = errorOf(() =>
        parsePemKey({
          ...spec(sharedTestKey('p256').publicKeyPem),
          hashAlgorithm: 'md5' as unknown as 'sha256',
        }),
      );
      expect(e.message).toMatch(/hashAlgorithm "md5"/);
    });
  });
});
