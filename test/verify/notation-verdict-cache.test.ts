import { VerdictCache } from '../../lambda/cache/verdict-cache';
import type { SignatureCheck } from '../../lambda/cosign/types';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageReference } from '../../lambda/reference/types';
import { verdictKey } from '../../lambda/verify/image-verifier';
import type { ImageVerification, VerifyOptions } from '../../lambda/verify/types';
import { awsSigner, x509Signer } from './notation-support';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-30T07:00:00Z');

function verdict(signatures: SignatureCheck[]): ImageVerification {
  return {
    image: 'registry.example.com/team/app@sha256:' + 'a'.repeat(64),
    verified: true,
    reason: ReasonCode.VERIFIED,
    message: 'ok',
    verifiedKeys: ['aws-prod'],
    signatures,
    error: false,
    cached: false,
    durationMs: 1,
    notation: { signers: ['aws-prod'], awsSigner: true, cosign: false },
  };
}

const awsCheck = (checkedAt: string): SignatureCheck => ({
  format: 'notation-jws',
  artifact: `sha256:${'e'.repeat(64)}`,
  key: 'aws-prod',
  ok: true,
  reason: ReasonCode.VERIFIED,
  message: 'verified',
  notation: {
    verifier: 'aws-prod',
    identity: 'arn:aws:signer:us-west-2:111122223333:/signing-profiles/prod',
    signingTime: '2026-11-29T10:00:00.000Z',
    expiry: '2029-11-29T10:00:00.000Z',
    awsSigner: true,
    revocation: 'not-revoked',
    revocationCheckedAt: checkedAt,
  },
});

function cacheAt(now: { t: number }) {
  return new VerdictCache({ now: () => now.t, positiveTtlMs: 60 * MINUTE, revocationTtlMs: 15 * MINUTE });
}

describe('the verdict cache and AWS Signer revocation', () => {
  it('a positive verdict resting on AWS Signer lives no longer than its revocation answer, and keeps the Notation details', () => {
    const now = { t: T0 };
    const cache = cacheAt(now);
    // Answered 5 minutes ago (from the revocation cache): 10 minutes of freshness left.
    cache.set('k', verdict([awsCheck(new Date(T0 - 5 * MINUTE).toISOString())]));
    now.t += 10 * MINUTE - 1;
    expect(cache.get('k')?.signatures[0]?.notation).toMatchObject({
      revocation: 'not-revoked',
      identity: expect.any(String),
    });
    expect(cache.get('k')?.notation).toEqual({ signers: ['aws-prod'], awsSigner: true, cosign: false });
    now.t += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('an answer already stale, or without a readable time, is not cached at all', () => {
    const now = { t: T0 };
    const cache = cacheAt(now);
    cache.set('stale', verdict([awsCheck(new Date(T0 - 15 * MINUTE).toISOString())]));
    cache.set('unreadable', verdict([awsCheck('not a time')]));
    expect(cache.size).toBe(0);
  });

  it('a verdict that rests on no AWS Signer answer keeps the positive time', () => {
    const now = { t: T0 };
    const cache = cacheAt(now);
    const x509: SignatureCheck = {
      ...awsCheck(''),
      notation: { awsSigner: false, revocation: 'not-checked' },
    };
    cache.set('k', {
      ...verdict([x509]),
      notation: { signers: ['acme-ca'], awsSigner: false, cosign: false },
    });
    now.t += 60 * MINUTE - 1;
    expect(cache.get('k')).toBeDefined();
  });
});

describe('verdictKey with Notation signers', () => {
  const ref: ImageReference = { registry: 'registry.example.com', repository: 'team/app', tag: 'v1' };
  const digest = `sha256:${'a'.repeat(64)}`;
  const base: VerifyOptions = {
    keys: [],
    tlog: { mode: 'verify-if-present', rekorKeys: [] },
    notation: [awsSigner(), x509Signer()],
  };
  const OTHER_PROFILE = 'arn:aws:signer:us-west-2:111122223333:/signing-profiles/other';

  it.each<[string, VerifyOptions]>([
    ['no Notation signer', { ...base, notation: [] }],
    ['another profile', { ...base, notation: [awsSigner('aws-prod', [OTHER_PROFILE]), x509Signer()] }],
    ['the same profile under another name', { ...base, notation: [awsSigner('renamed'), x509Signer()] }],
    ['a removed X.509 signer', { ...base, notation: [awsSigner()] }],
    [
      'another trust anchor',
      { ...base, notation: [awsSigner(), x509Signer('acme-ca', undefined, Buffer.from('other anchor'))] },
    ],
    [
      'another trusted identity',
      { ...base, notation: [awsSigner(), x509Signer('acme-ca', 'CN=someone else')] },
    ],
  ])('differs for %s', (_what, options) => {
    expect(verdictKey(ref, digest, options)).not.toBe(verdictKey(ref, digest, base));
  });

  it('is the same whatever the order of signers and the case of profile ARNs', () => {
    const upper = awsSigner('aws-prod', ['ARN:AWS:SIGNER:US-WEST-2:111122223333:/SIGNING-PROFILES/PROD']);
    expect(verdictKey(ref, digest, { ...base, notation: [x509Signer(), awsSigner()] })).toBe(
      verdictKey(ref, digest, base),
    );
    expect(verdictKey(ref, digest, { ...base, notation: [upper, x509Signer()] })).toBe(
      verdictKey(ref, digest, base),
    );
  });
});
