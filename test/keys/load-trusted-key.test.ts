/**
 * One path from a key to a TrustedKey: the Lambda's key ring loads each policy key through
 * loadTrustedKey(keySpecOf(key)), so a policy key loads the same way wherever it is used.
 */
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { GuardError } from '../../lambda/errors';
import { KeyRing } from '../../lambda/guard/key-ring';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { loadTrustedKey } from '../../lambda/keys/load-trusted-key';
import type { TrustedKey } from '../../lambda/keys/types';
import { keySpecOf } from '../../lambda/policy/key-specs';
import type { PolicyKey } from '../../lambda/policy/schema';
import { ReasonCode } from '../../lambda/reasons';
import { spkiFingerprint } from '../../lambda/keys/fingerprint';
import { sharedTestKey } from '../support/signer';

const kms = mockClient(KMSClient);

function loader(): KmsKeyLoader {
  return new KmsKeyLoader({
    clientFor: (region) =>
      new KMSClient({
        region: region ?? 'eu-west-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      }),
  });
}

const comparable = (k: TrustedKey) => ({
  name: k.name,
  source: k.source,
  hashAlgorithm: k.hashAlgorithm,
  fingerprint: k.fingerprint,
});

const KEYS: PolicyKey[] = [
  { name: 'ci', kms: 'alias/ci-signing' },
  { name: 'vendor', publicKey: sharedTestKey('p256').publicKeyPem, hashAlgorithm: 'sha384' },
];

beforeEach(() => {
  kms.reset();
  kms.on(GetPublicKeyCommand).resolves({
    $metadata: { httpStatusCode: 200 },
    KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    PublicKey: new Uint8Array(sharedTestKey('p384').spkiDer),
    KeySpec: 'ECC_NIST_P384',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['ECDSA_SHA_384'],
  });
});

describe('the key ring loads policy keys through loadTrustedKey', () => {
  it('gives the same keys as loadTrustedKey(keySpecOf(key))', async () => {
    const fromRing = await new KeyRing(KEYS, loader()).resolve(['ci', 'vendor']);
    const direct = await Promise.all(KEYS.map((k) => loadTrustedKey(keySpecOf(k), loader())));
    expect(fromRing.map(comparable)).toEqual(direct.map(comparable));
    expect(fromRing.map(comparable)).toEqual([
      {
        name: 'ci',
        source: 'awskms:///alias/ci-signing',
        hashAlgorithm: 'sha384',
        fingerprint: spkiFingerprint(sharedTestKey('p384').publicKey),
      },
      {
        name: 'vendor',
        source: 'policy key "vendor"',
        hashAlgorithm: 'sha384',
        fingerprint: spkiFingerprint(sharedTestKey('p256').publicKey),
      },
    ]);
  });

  it('asks KMS for a bare alias exactly as the policy wrote it (what kms:RequestAlias grants)', async () => {
    await new KeyRing(KEYS, loader()).resolve(['ci']);
    expect(kms.commandCalls(GetPublicKeyCommand).map((c) => c.args[0].input.KeyId)).toEqual([
      'alias/ci-signing',
    ]);
  });

  it('rejects a key the runtime cannot load with the same KEY_UNAVAILABLE message on both paths', async () => {
    const bad: PolicyKey = {
      name: 'bad',
      publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      hashAlgorithm: 'sha256',
    };
    const errorOf = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    const fromRing = await errorOf(new KeyRing([bad], loader()).resolve(['bad']));
    const direct = await errorOf(loadTrustedKey(keySpecOf(bad), loader()));
    expect(fromRing).toBeInstanceOf(GuardError);
    expect((fromRing as GuardError).code).toBe(ReasonCode.KEY_UNAVAILABLE);
    expect((fromRing as GuardError).message).toBe((direct as GuardError).message);
    expect((fromRing as GuardError).message).toMatch(
      /^key "bad" \(policy key "bad"\): the PUBLIC KEY block cannot be parsed/,
    );
  });
});
