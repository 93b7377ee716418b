import { generateKeyPairSync, sign } from 'node:crypto';
import {
  DisabledException,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  type GetPublicKeyCommandOutput,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { GuardError } from '../../lambda/errors';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { loadTrustedKey } from '../../lambda/keys/load-trusted-key';
import type { KeySpec } from '../../lambda/keys/types';
import { verifySignature } from '../../lambda/keys/verify-signature';
import type { HashAlgorithm } from '../../lambda/keys/types';
import { ReasonCode } from '../../lambda/reasons';
import { generateTestKey, sharedTestKey, type TestKeyKind } from '../support/signer';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const REF = `awskms:///${KEY_ARN}`;

const kms = mockClient(KMSClient);

/** GetPublicKey as the real API answers it (PublicKey is the DER SPKI as a Uint8Array). */
function response(
  spki: Buffer,
  keySpec: string,
  signingAlgorithms: string[],
  keyUsage = 'SIGN_VERIFY',
): GetPublicKeyCommandOutput {
  return {
    $metadata: {
      httpStatusCode: 200,
      requestId: 'b6a0f2e2-0000-4000-8000-000000000000',
      attempts: 1,
      totalRetryDelay: 0,
    },
    KeyId: KEY_ARN,
    PublicKey: new Uint8Array(spki),
    CustomerMasterKeySpec: keySpec as never,
    KeySpec: keySpec as never,
    KeyUsage: keyUsage as never,
    SigningAlgorithms: signingAlgorithms as never,
  };
}

const RSA_ALGS = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

function serviceError(
  name: string,
  status: number,
  fault: 'client' | 'server' = status >= 500 ? 'server' : 'client',
) {
  return new KMSServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: 'r', attempts: 3, totalRetryDelay: 100 },
    message: `${name} from KMS`,
  });
}

async function loadError(promise: Promise<unknown>): Promise<GuardError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof GuardError) return e;
    throw new Error(`expected GuardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the load to fail');
}

interface Harness {
  loader: KmsKeyLoader;
  factoryCalls: [string | undefined, string | undefined][];
  clock: { now: number };
}

function harness(): Harness {
  const factoryCalls: [string | undefined, string | undefined][] = [];
  const clock = { now: 1_000_000 };
  const loader = new KmsKeyLoader({
    clientFor: (region, endpoint) => {
      factoryCalls.push([region, endpoint]);
      return new KMSClient({ region: region ?? 'eu-west-1' });
    },
    failureBackoffMs: 2000,
    now: () => clock.now,
  });
  return { loader, factoryCalls, clock };
}

beforeEach(() => kms.reset());

describe('KmsKeyLoader', () => {
  const supported: [string, TestKeyKind, HashAlgorithm, string[]][] = [
    ['ECC_NIST_P256', 'p256', 'sha256', ['ECDSA_SHA_256']],
    ['ECC_NIST_P384', 'p384', 'sha384', ['ECDSA_SHA_384']],
    ['ECC_NIST_P521', 'p521', 'sha512', ['ECDSA_SHA_512']],
    ['RSA_2048', 'rsa2048', 'sha256', RSA_ALGS],
    ['RSA_3072', 'rsa3072', 'sha256', RSA_ALGS],
    ['RSA_4096', 'rsa4096', 'sha256', RSA_ALGS],
  ];

  it.each(supported)(
    '%s → %s key hashed with %s (cosign awskms scheme)',
    async (keySpec, kind, hash, algs) => {
      const testKey = sharedTestKey(kind);
      kms.on(GetPublicKeyCommand).resolves(response(testKey.spkiDer, keySpec, algs));
      const { loader, factoryCalls } = harness();
      const key = await loader.load({ name: 'ci-2026', ref: REF });
      expect(key).toMatchObject({ name: 'ci-2026', source: REF, hashAlgorithm: hash });
      expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
      expect(factoryCalls).toEqual([['eu-west-1', undefined]]);
      // A signature made the way KMS makes it for this spec verifies with the loaded key.
      const data = Buffer.from('payload');
      expect(verifySignature(key, data, sign(hash, data, testKey.privateKey))).toBe(true);
      if (hash !== 'sha256')
        expect(verifySignature(key, data, sign('sha256', data, testKey.privateKey))).toBe(false);
    },
  );

  it('calls GetPublicKey once for many loads of the same key, concurrent or later, under any name', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolves(response(sharedTestKey('p256').spkiDer, 'ECC_NIST_P256', ['ECDSA_SHA_256']));
    const { loader } = harness();
    const keys = await Promise.all(
      Array.from({ length: 5 }, (_, i) => loader.load({ name: `k${i}`, ref: REF })),
    );
    keys.push(await loader.load({ name: 'later', ref: REF }));
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(new Set(keys.map((k) => k.fingerprint)).size).toBe(1);
    expect(keys.map((k) => k.name)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'later']);
  });

  it('passes the alias, key id and custom endpoint through; distinct keys are distinct calls', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolves(response(sharedTestKey('p256').spkiDer, 'ECC_NIST_P256', ['ECDSA_SHA_256']));
    const { loader, factoryCalls } = harness();
    await loader.load({ name: 'a', ref: 'awskms:///alias/ci' });
    await loader.load({ name: 'b', ref: `awskms://localhost:4566/${KEY_ID}` });
    await loader.load({ name: 'c', ref: 'awskms:///alias/ci' });
    expect(kms.commandCalls(GetPublicKeyCommand).map((c) => c.args[0].input.KeyId)).toEqual([
      'alias/ci',
      KEY_ID,
    ]);
    expect(factoryCalls).toEqual([
      [undefined, undefined],
      [undefined, 'localhost:4566'],
    ]);
  });

  it('rejects an invalid reference before calling KMS', async () => {
    const { loader } = harness();
    const e = await loadError(loader.load({ name: 'x', ref: 'awskms:///nope' }));
    expect(e.code).toBe(ReasonCode.KEY_UNAVAILABLE);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(0);
  });

  describe('key specs cosign cannot use → KEY_UNAVAILABLE, not retryable', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const ed = generateTestKey('ed25519').spkiDer;
    const p256 = sharedTestKey('p256').spkiDer;
    it.each([
      ['ECC_SECG_P256K1', k1, ['ECDSA_SHA_256'], 'SIGN_VERIFY'],
      ['ECC_NIST_EDWARDS25519', ed, ['ED25519_SHA_512'], 'SIGN_VERIFY'],
      ['SM2', p256, ['SM2DSA'], 'SIGN_VERIFY'],
      ['ML_DSA_65', p256, ['ML_DSA_SHAKE_256'], 'SIGN_VERIFY'],
      ['HMAC_256', p256, [], 'GENERATE_VERIFY_MAC'],
      ['SYMMETRIC_DEFAULT', p256, [], 'ENCRYPT_DECRYPT'],
    ] as const)('%s', async (keySpec, spki, algs, usage) => {
      kms.on(GetPublicKeyCommand).resolves(response(spki, keySpec, [...algs], usage));
      const e = await loadError(harness().loader.load({ name: 'x', ref: REF }));
      expect(e).toMatchObject({ code: ReasonCode.KEY_UNAVAILABLE, retryable: false });
      expect(e.message).toContain(`KeySpec ${keySpec} cannot verify cosign signatures`);
      expect(e.message).toContain(REF);
    });

    it('an RSA key made for encryption (KeyUsage ENCRYPT_DECRYPT)', async () => {
      kms
        .on(GetPublicKeyCommand)
        .resolves(response(sharedTestKey('rsa2048').spkiDer, 'RSA_2048', [], 'ENCRYPT_DECRYPT'));
      const e = await loadError(harness().loader.load({ name: 'x', ref: REF }));
      expect(e.message).toContain('KeyUsage is ENCRYPT_DECRYPT');
    });

    it('a public key that does not match the KeySpec, or no usable signing algorithm', async () => {
      kms
        .on(GetPublicKeyCommand)
        .resolves(response(sharedTestKey('p256').spkiDer, 'ECC_NIST_P384', ['ECDSA_SHA_384']));
      expect((await loadError(harness().loader.load({ name: 'x', ref: REF }))).message).toContain(
        'does not match KeySpec',
      );
      kms.reset();
      kms
        .on(GetPublicKeyCommand)
        .resolves(response(sharedTestKey('rsa2048').spkiDer, 'RSA_2048', ['RSASSA_PSS_SHA_256']));
      expect((await loadError(harness().loader.load({ name: 'x', ref: REF }))).message).toContain(
        'do not include RSASSA_PKCS1_V1_5_SHA_256',
      );
      kms.reset();
      kms
        .on(GetPublicKeyCommand)
        .resolves({ ...response(Buffer.alloc(0), 'ECC_NIST_P256', ['ECDSA_SHA_256']) });
      expect((await loadError(harness().loader.load({ name: 'x', ref: REF }))).message).toContain(
        'no PublicKey',
      );
      kms.reset();
      kms
        .on(GetPublicKeyCommand)
        .resolves(response(Buffer.from('not der'), 'ECC_NIST_P256', ['ECDSA_SHA_256']));
      expect((await loadError(harness().loader.load({ name: 'x', ref: REF }))).message).toContain(
        'not a DER',
      );
    });
  });

  describe('KMS failures', () => {
    const retryable: [string, () => Error][] = [
      ['ThrottlingException', () => serviceError('ThrottlingException', 400)],
      ['KMSInternalException (500)', () => serviceError('KMSInternalException', 500)],
      ['DependencyTimeoutException', () => serviceError('DependencyTimeoutException', 503)],
      ['an unknown 503', () => serviceError('SomethingNew', 503)],
      [
        'a network error',
        () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } }),
      ],
      [
        'a timeout',
        () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }),
      ],
    ];
    it.each(retryable)('%s → KEY_UNAVAILABLE, retryable', async (_what, make) => {
      kms.on(GetPublicKeyCommand).rejects(make());
      const e = await loadError(harness().loader.load({ name: 'ci', ref: REF }));
      expect(e).toMatchObject({ code: ReasonCode.KEY_UNAVAILABLE, retryable: true });
      expect(e.message).toContain(REF);
    });

    const permanent: [string, () => Error][] = [
      ['AccessDeniedException', () => serviceError('AccessDeniedException', 400)],
      [
        'NotFoundException',
        () => new NotFoundException({ message: 'Key not found', $metadata: { httpStatusCode: 400 } }),
      ],
      [
        'DisabledException',
        () => new DisabledException({ message: 'disabled', $metadata: { httpStatusCode: 400 } }),
      ],
      [
        'KMSInvalidStateException (pending deletion)',
        () =>
          new KMSInvalidStateException({ message: 'pending deletion', $metadata: { httpStatusCode: 400 } }),
      ],
      ['an unknown 400', () => serviceError('ValidationError', 400)],
    ];
    it.each(permanent)('%s → KEY_UNAVAILABLE, not retryable', async (_what, make) => {
      kms.on(GetPublicKeyCommand).rejects(make());
      const e = await loadError(harness().loader.load({ name: 'ci', ref: REF }));
      expect(e).toMatchObject({ code: ReasonCode.KEY_UNAVAILABLE, retryable: false });
    });

    it('a failure is remembered only for the backoff, then KMS is asked again and the key cached', async () => {
      const { loader, clock } = harness();
      kms
        .on(GetPublicKeyCommand)
        .rejectsOnce(serviceError('ThrottlingException', 400))
        .resolves(response(sharedTestKey('p256').spkiDer, 'ECC_NIST_P256', ['ECDSA_SHA_256']));
      expect((await loadError(loader.load({ name: 'ci', ref: REF }))).retryable).toBe(true);
      clock.now += 1000; // within the backoff: same failure, no new call
      expect((await loadError(loader.load({ name: 'ci', ref: REF }))).retryable).toBe(true);
      expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
      clock.now += 1000; // backoff elapsed
      await expect(loader.load({ name: 'ci', ref: REF })).resolves.toMatchObject({ name: 'ci' });
      clock.now += 60_000; // success is cached for good
      await loader.load({ name: 'ci', ref: REF });
      expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
    });
  });
});

/** Several keys through the one loading path, in order; the first failure rejects the set. */
const loadTrustedKeys = (specs: KeySpec[], loader: KmsKeyLoader) =>
  Promise.all(specs.map((spec) => loadTrustedKey(spec, loader)));

describe('loadTrustedKey', () => {
  it('loads PEM and KMS keys in order', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolves(response(sharedTestKey('p384').spkiDer, 'ECC_NIST_P384', ['ECDSA_SHA_384']));
    const keys = await loadTrustedKeys(
      [
        { name: 'vendor', kind: 'pem', pem: sharedTestKey('p384').publicKeyPem, source: 'inline' },
        { name: 'ci', kind: 'kms', ref: REF },
        {
          name: 'vendor-384',
          kind: 'pem',
          pem: sharedTestKey('p384').publicKeyPem,
          source: 'inline',
          hashAlgorithm: 'sha384',
        },
      ],
      harness().loader,
    );
    expect(keys.map((k) => [k.name, k.hashAlgorithm])).toEqual([
      ['vendor', 'sha256'],
      ['ci', 'sha384'],
      ['vendor-384', 'sha384'],
    ]);
    expect(keys[0]?.fingerprint).toBe(keys[1]?.fingerprint);
  });

  it('fails as a whole when one key cannot be loaded', async () => {
    kms.on(GetPublicKeyCommand).rejects(serviceError('AccessDeniedException', 400));
    const e = await loadError(
      loadTrustedKeys(
        [
          { name: 'vendor', kind: 'pem', pem: sharedTestKey('p256').publicKeyPem, source: 'inline' },
          { name: 'ci', kind: 'kms', ref: REF },
        ],
        harness().loader,
      ),
    );
    expect(e.code).toBe(ReasonCode.KEY_UNAVAILABLE);
    expect(e.message).toContain('AccessDeniedException');
  });
});
