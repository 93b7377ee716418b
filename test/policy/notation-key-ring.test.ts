/**
 * Notation signers through the key ring and the verify step: a name in a rule resolves to a cosign key
 * or a NotationVerifier (certificates as DER), the verifier gets both, an AWS Signer signer is only used
 * with a revocation checker, and a cosign-only policy loads nothing Notation-specific.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { GuardError } from '../../lambda/errors';
import { KeyRing } from '../../lambda/guard/key-ring';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import type { RevocationChecker } from '../../lambda/notation/types';
import { parsePolicy } from '../../lambda/policy/load';
import type { Policy } from '../../lambda/policy/schema';
import { ReasonCode } from '../../lambda/reasons';
import { parseImageReference } from '../../lambda/reference/parse';
import { verifyContainer } from '../../lambda/signatures/verify-container';
import type { ImageVerification, VerifyOptions } from '../../lambda/verify/types';
import { PUBKEY_PEM_PATH, REPO_ROOT, indent } from './support';

const ROOT = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/notation-policy/root-ca.pem'), 'utf8');
const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci_images';
const IMAGE = parseImageReference(`registry.example/app@sha256:${'a'.repeat(64)}`);

const POLICY = parsePolicy(
  `
keys:
  - name: cosign
    publicKey: |
${indent(fs.readFileSync(PUBKEY_PEM_PATH, 'utf8'), 6)}
  - name: aws
    awsSigner: { signingProfiles: ["${PROFILE}"] }
  - name: x509
    notation:
      trustStores:
        - type: ca
          name: acme
          certificates: |
${indent(ROOT, 12)}
      trustedIdentities: ["x509.subject: C=US, ST=WA, O=acme"]
rules:
  - { name: aws-only, keys: [aws] }
  - { name: x509-only, keys: [x509] }
  - { name: cosign-only, keys: [cosign] }
  - { name: mixed, keys: [cosign, x509], require: all }
`,
  { source: 'policy.yaml' },
);

const noKms = () =>
  new KmsKeyLoader({
    clientFor: () =>
      new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  });

const revocation: RevocationChecker = {
  check: () => Promise.reject(new Error('not called in these tests')),
};

function verifierRecording(): {
  calls: VerifyOptions[];
  verify: (ref: unknown, o: VerifyOptions) => Promise<ImageVerification>;
} {
  const calls: VerifyOptions[] = [];
  return {
    calls,
    verify: async (_ref, options) => {
      calls.push(options);
      return {
        image: 'registry.example/app',
        verified: false,
        reason: ReasonCode.NO_SIGNATURES,
        message: 'no signatures',
        verifiedKeys: [],
        signatures: [],
        error: false,
        cached: false,
        durationMs: 0,
      };
    },
  };
}

function step(policy: Policy, rule: string, withRevocation: boolean) {
  const verifier = verifierRecording();
  const run = verifyContainer(
    IMAGE,
    policy.rules.filter((r) => r.name === rule),
    {
      policy,
      policySha256: 'f'.repeat(64),
      verifier,
      keyRing: new KeyRing(policy.keys, noKms()),
      rekorKeys: [],
      retries: 0,
      ...(withRevocation ? { revocation } : {}),
    },
  );
  return { run, calls: verifier.calls };
}

describe('KeyRing with Notation signers', () => {
  it('resolves an awsSigner entry and a generic one to NotationVerifiers, certificates as DER', async () => {
    const ring = new KeyRing(POLICY.keys, noKms());
    expect(await ring.resolveSigner('aws')).toEqual({
      kind: 'notation',
      verifier: { kind: 'awsSigner', name: 'aws', signingProfiles: [PROFILE] },
    });
    const x509 = await ring.resolveSigner('x509');
    expect(x509).toEqual({
      kind: 'notation',
      verifier: {
        kind: 'x509',
        name: 'x509',
        trustStores: [{ type: 'ca', name: 'acme', certificates: [new X509Certificate(ROOT).raw] }],
        trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'],
        verifyTimestamp: 'always',
      },
    });
    expect((await ring.resolveSigner('cosign')).kind).toBe('cosign');
  });

  it('refuses a Notation signer where a cosign key is asked for', async () => {
    const error = await new KeyRing(POLICY.keys, noKms()).resolve(['aws']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toMatchObject({
      code: ReasonCode.KEY_UNAVAILABLE,
      message: '"aws" is a Notation signer, not a cosign key',
    });
  });
});

describe('verifyContainer with Notation signers', () => {
  it('a rule of AWS Signer signers only verifies with them and the revocation checker (no KEY_UNAVAILABLE)', async () => {
    const { run, calls } = step(POLICY, 'aws-only', true);
    const result = await run;
    expect(result.summary.reason).toBe(ReasonCode.NO_SIGNATURES);
    expect(result.keyFailures).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.keys).toEqual([]);
    expect(calls[0]!.notation).toEqual([{ kind: 'awsSigner', name: 'aws', signingProfiles: [PROFILE] }]);
    expect(calls[0]!.revocation).toBe(revocation);
  });

  it('an AWS Signer signer without a revocation checker is unusable: undecided, never verified unchecked', async () => {
    const { run, calls } = step(POLICY, 'aws-only', false);
    const result = await run;
    expect(calls).toHaveLength(0);
    expect(result.summary).toMatchObject({ reason: ReasonCode.KEY_UNAVAILABLE, error: true });
    expect(result.keyFailures).toEqual([
      expect.stringMatching(/^aws: AWS Signer revocation checking .* is not available/),
    ]);
  });

  it('a generic Notation signer needs no revocation checker and gets none', async () => {
    const { run, calls } = step(POLICY, 'x509-only', false);
    expect((await run).keyFailures).toEqual([]);
    expect(calls[0]!.notation?.map((v) => v.name)).toEqual(['x509']);
    expect('revocation' in calls[0]!).toBe(false);
  });

  it('a rule naming a cosign key and a Notation signer passes both', async () => {
    const { run, calls } = step(POLICY, 'mixed', true);
    await run;
    expect(calls[0]!.keys.map((k) => k.name)).toEqual(['cosign']);
    expect(calls[0]!.notation?.map((v) => v.name)).toEqual(['x509']);
  });

  it('a cosign-only rule gets exactly the options it always had', async () => {
    const { run, calls } = step(POLICY, 'cosign-only', true);
    await run;
    expect(Object.keys(calls[0]!).sort()).toEqual(['keys', 'policySha256', 'signal', 'tlog']);
  });
});

describe('a cosign-only policy', () => {
  it('never loads the Notation verifier module; a Notation signer does, once', async () => {
    // A fresh module registry: the module counts as loaded only when this test's key ring loads it.
    let loads = 0;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('../../lambda/policy/notation-verifiers', () => {
        loads++;
        return jest.requireActual('../../lambda/policy/notation-verifiers');
      });
      const ring = await import('../../lambda/guard/key-ring');
      const keyRing = new ring.KeyRing(POLICY.keys, noKms());
      await keyRing.resolveSigner('cosign');
      expect(loads).toBe(0);
      await keyRing.resolveSigner('x509');
      await keyRing.resolveSigner('aws');
      expect(loads).toBe(1);
    });
  });
});
