import type { SignatureCheck } from '../../lambda/cosign/types';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import type { NotationSignatureDetails } from '../../lambda/verify/notation-types';
import { summarise, type Discovery } from '../../lambda/verify/summarise';

const cosign = (key: string, ok = true): SignatureCheck => ({
  format: 'bundle',
  artifact: `sha256:${key.padEnd(64, '0').slice(0, 64)}`,
  key,
  ok,
  reason: ok ? ReasonCode.VERIFIED : ReasonCode.SIGNATURE_INVALID,
  message: ok ? 'ok' : 'bad signature',
});

const notation = (
  key: string,
  details: Partial<NotationSignatureDetails>,
  check: Partial<SignatureCheck> = {},
): SignatureCheck => ({
  format: 'notation-jws',
  artifact: `sha256:${'e'.repeat(64)}`,
  key,
  ok: true,
  reason: ReasonCode.VERIFIED,
  message: 'verified',
  notation: { awsSigner: true, revocation: 'not-revoked', verifier: key, ...details },
  ...check,
});

const discovery = (checks: SignatureCheck[], extra: Partial<Discovery> = {}): Discovery => ({
  checks,
  transportErrors: [],
  truncated: false,
  ...extra,
});

describe('summarise with Notation signatures', () => {
  it('counts cosign keys and Notation signers by name alike (require: any|all sees both)', () => {
    const s = summarise(
      discovery([
        cosign('ci'),
        notation('aws-prod', {}),
        notation('acme-ca', { awsSigner: false, revocation: 'not-checked' }),
      ]),
    );
    expect(s).toMatchObject({ verified: true, reason: ReasonCode.VERIFIED });
    expect(s.verifiedKeys.sort()).toEqual(['acme-ca', 'aws-prod', 'ci']);
  });

  it.each([
    ['revocation not asked', { revocation: null }],
    ['revocation only "not checked"', { revocation: 'not-checked' as const }],
    ['revoked', { revocation: 'revoked' as const }],
  ])('an AWS Signer check marked ok does not vouch when %s', (_what, details) => {
    const s = summarise(discovery([notation('aws-prod', details)]));
    expect(s.verified).toBe(false);
    expect(s.verifiedKeys).toEqual([]);
  });

  it('an X.509 Notation check vouches only with its revocation status recorded as not checked', () => {
    expect(summarise(discovery([notation('acme-ca', { awsSigner: false, revocation: null })])).verified).toBe(
      false,
    );
    expect(
      summarise(discovery([notation('acme-ca', { awsSigner: false, revocation: 'not-checked' })])).verified,
    ).toBe(true);
  });

  it('REVOKED is the reason when a revoked signature is among failures', () => {
    const s = summarise(
      discovery([
        cosign('ci', false),
        notation(
          'aws-prod',
          { revocation: 'revoked' },
          { ok: false, reason: ReasonCode.REVOKED, message: 'AWS Signer reports revoked: signing job x' },
        ),
      ]),
    );
    expect(s).toMatchObject({ verified: false, error: false, reason: ReasonCode.REVOKED });
    expect(s.message).toContain('AWS Signer reports revoked: signing job x');
  });

  it('a failed revocation look-up with nothing else valid is an error', () => {
    const failure = new GuardError(ReasonCode.REVOCATION_UNAVAILABLE, 'GetRevocationStatus failed');
    const s = summarise(
      discovery(
        [
          notation(
            'aws-prod',
            { revocation: null },
            { ok: false, reason: ReasonCode.REVOCATION_UNAVAILABLE, message: failure.message },
          ),
        ],
        { transportErrors: [failure] },
      ),
    );
    expect(s).toMatchObject({ verified: false, error: true, reason: ReasonCode.REVOCATION_UNAVAILABLE });
  });

  it('NO_SIGNATURES names Notation when the rule trusts a Notation signer, and unread Notation signatures otherwise', () => {
    expect(summarise(discovery([], { notation: { trusted: true, unread: 0 } })).message).toContain(
      'no cosign or Notation signature found',
    );
    const cosignOnly = summarise(discovery([], { notation: { trusted: false, unread: 2 } }));
    expect(cosignOnly.reason).toBe(ReasonCode.NO_SIGNATURES);
    expect(cosignOnly.message).toContain(
      '2 Notation signature(s) are present, but the rule trusts no Notation signer',
    );
    expect(summarise(discovery([], { notation: { trusted: false, unread: 0 } })).message).not.toContain(
      'Notation',
    );
  });
});
