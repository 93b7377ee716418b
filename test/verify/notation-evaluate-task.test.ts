/** The event's route carries the Notation part of a verdict into the container result the record is built from. */
import { KMSClient } from '@aws-sdk/client-kms';
import fs from 'node:fs';
import path from 'node:path';
import { notationRecordOf } from '../../lambda/decision/record';
import { NO_TASK_LOOKUPS } from '../../lambda/ecs/task-lookups';
import { parseTaskStateChange } from '../../lambda/events';
import { evaluateTask } from '../../lambda/guard/evaluate-task';
import { KeyRing } from '../../lambda/guard/key-ring';
import { KmsKeyLoader } from '../../lambda/keys/kms-key-loader';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageVerifier } from '../../lambda/verify/image-verifier';
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
  - name: all
    match: { images: ["**"] }
    keys: [ci]
`,
  { source: 'policy.yaml' },
);

const event = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '..', 'fixtures', 'events', 'ec2-service-pending-digest.json'),
    'utf8',
  ),
) as unknown;

function verdict(notation: boolean): ImageVerification {
  return {
    image: 'x',
    verified: false,
    reason: ReasonCode.REVOKED,
    message: 'AWS Signer reports revoked: signing job j',
    verifiedKeys: [],
    signatures: [
      {
        format: 'notation-jws',
        artifact: `sha256:${'e'.repeat(64)}`,
        key: 'aws-prod',
        ok: false,
        reason: ReasonCode.REVOKED,
        message: 'AWS Signer reports revoked: signing job j',
        notation: { verifier: 'aws-prod', identity: PROFILE, awsSigner: true, revocation: 'revoked' },
      },
    ],
    error: false,
    cached: false,
    durationMs: 1,
    ...(notation ? { notation: { signers: ['aws-prod'], awsSigner: true, cosign: true } } : {}),
  };
}

async function evaluate(v: ImageVerification) {
  const parsed = parseTaskStateChange(event);
  if (parsed.kind !== 'task') throw new Error(parsed.message);
  return evaluateTask(parsed.task, {
    policy: POLICY,
    policySha256: 'p'.repeat(64),
    verifier: { verify: async () => v } as unknown as ImageVerifier,
    keyRing: new KeyRing(
      POLICY.keys,
      new KmsKeyLoader({ clientFor: () => new KMSClient({ region: 'eu-west-1' }) }),
    ),
    rekorKeys: [],
    lookups: NO_TASK_LOOKUPS,
  });
}

describe('evaluateTask and Notation', () => {
  it('each verified container result carries the Notation part of its verdict', async () => {
    const v = verdict(true);
    const { containers } = await evaluate(v);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.decision.reason).toBe(ReasonCode.REVOKED);
      expect(c.notation).toEqual(notationRecordOf(v));
    }
  });

  it('a verdict without one adds nothing', async () => {
    const { containers } = await evaluate(verdict(false));
    for (const c of containers) expect(c).not.toHaveProperty('notation');
  });
});
