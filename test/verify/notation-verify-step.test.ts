/** The verify step hands the Notation part of a verdict on to the record (and only when there is one). */
import { KMSClient } from '@aws-sdk/client-kms';
import { notationRecordOf } from '../../lambda/decision/record';
import { KeyRing } from '../../lambda/guard/key-ring';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageReference } from '../../lambda/reference/types';
import { verifyContainer } from '../../lambda/signatures/verify-container';
import type { ImageVerification } from '../../lambda/verify/types';
import { sharedTestKey } from '../support/signer';
import { PROFILE } from './notation-support';

const POLICY = parsePolicy(
  `
keys:
  - name: ci
    publicKey: |
${sharedTestKey('p256')
  .publicKeyPem.trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
rules:
  - name: prod
    match: { images: ["**"] }
    keys: [ci]
`,
  { source: 'policy.yaml' },
);
const keyRing = new KeyRing(
  POLICY.keys,
  new KmsKeyLoader({ clientFor: () => new KMSClient({ region: 'eu-west-1' }) }),
);
const ref = {
  registry: 'r.example.com',
  repository: 'team/app',
  digest: `sha256:${'a'.repeat(64)}`,
} as ImageReference;

const answer = (extra: Partial<ImageVerification>): ImageVerification => ({
  image: 'r.example.com/team/app',
  verified: true,
  reason: ReasonCode.VERIFIED,
  message: 'ok',
  verifiedKeys: ['aws-prod'],
  signatures: [
    {
      format: 'notation-jws',
      artifact: `sha256:${'e'.repeat(64)}`,
      key: 'aws-prod',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: 'verified',
      notation: { verifier: 'aws-prod', identity: PROFILE, awsSigner: true, revocation: 'not-revoked' },
    },
  ],
  error: false,
  cached: false,
  durationMs: 1,
  ...extra,
});

async function step(v: ImageVerification) {
  return verifyContainer(ref, POLICY.rules, {
    policy: POLICY,
    policySha256: 'p'.repeat(64),
    verifier: { verify: async () => v },
    keyRing,
    rekorKeys: [],
  });
}

describe('verifyContainer and Notation', () => {
  it('carries the Notation part of the verdict', async () => {
    const v = answer({ notation: { signers: ['aws-prod'], awsSigner: true, cosign: true } });
    const result = await step(v);
    expect(result.notation).toEqual(notationRecordOf(v));
    expect(result.notation?.signatures[0]).toMatchObject({ identity: PROFILE, revocation: 'not-revoked' });
    expect(result.signaturesFound).toBe(1);
  });

  it('adds nothing for a verdict without one', async () => {
    const result = await step(answer({ signatures: [] }));
    expect(result).not.toHaveProperty('notation');
  });
});
