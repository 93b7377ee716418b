import type { SignatureCheck } from '../../lambda/cosign/types';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { summarise } from '../../lambda/verify/summarise';

const check = (reason: ReasonCode, ok = false, key?: string): SignatureCheck => ({
  format: 'legacy',
  artifact: 'sha256:' + '0'.repeat(64),
  ok,
  reason,
  message: `check ${reason}`,
  key,
});

describe('summarise', () => {
  it('verifies when one signature is valid even if others are bad', () => {
    const s = summarise({
      checks: [
        check(ReasonCode.SIGNATURE_INVALID),
        check(ReasonCode.VERIFIED, true, 'ci'),
        check(ReasonCode.SIGNATURE_MALFORMED),
      ],
      transportErrors: [],
      truncated: false,
    });
    expect(s).toMatchObject({
      verified: true,
      error: false,
      reason: ReasonCode.VERIFIED,
      verifiedKeys: ['ci'],
    });
  });

  it('lists each verifying key once', () => {
    const s = summarise({
      checks: [
        check(ReasonCode.VERIFIED, true, 'a'),
        check(ReasonCode.VERIFIED, true, 'b'),
        check(ReasonCode.VERIFIED, true, 'a'),
      ],
      transportErrors: [],
      truncated: false,
    });
    expect(s.verifiedKeys).toEqual(['a', 'b']);
  });

  it('reports NO_SIGNATURES when nothing was found', () => {
    expect(summarise({ checks: [], transportErrors: [], truncated: false }).reason).toBe(
      ReasonCode.NO_SIGNATURES,
    );
  });

  it('does not count an attestation as a signature', () => {
    const s = summarise({
      checks: [check(ReasonCode.NOT_A_SIGNATURE)],
      transportErrors: [],
      truncated: false,
    });
    expect(s.reason).toBe(ReasonCode.NO_SIGNATURES);
    expect(s.message).toMatch(/attestation/);
  });

  it('prefers DIGEST_MISMATCH over SIGNATURE_INVALID (a valid signature for another image)', () => {
    const s = summarise({
      checks: [check(ReasonCode.SIGNATURE_INVALID), check(ReasonCode.DIGEST_MISMATCH)],
      transportErrors: [],
      truncated: false,
    });
    expect(s.reason).toBe(ReasonCode.DIGEST_MISMATCH);
    expect(s.verified).toBe(false);
  });

  it('turns a failed lookup with nothing valid into an error, never into "unsigned"', () => {
    const s = summarise({
      checks: [],
      transportErrors: [
        new GuardError(ReasonCode.REGISTRY_UNAVAILABLE, 'HTTP 503 after 3 attempts', { retryable: true }),
      ],
      truncated: false,
    });
    expect(s).toMatchObject({ verified: false, error: true, reason: ReasonCode.REGISTRY_UNAVAILABLE });
  });

  it('still verifies when one lookup failed but another found a valid signature', () => {
    const s = summarise({
      checks: [check(ReasonCode.VERIFIED, true, 'ci')],
      transportErrors: [new GuardError(ReasonCode.TIMEOUT, 'referrers timed out')],
      truncated: false,
    });
    expect(s).toMatchObject({ verified: true, error: false });
  });

  it('reports LIMIT_EXCEEDED when artifacts were cut off and none verified', () => {
    const s = summarise({
      checks: [check(ReasonCode.SIGNATURE_INVALID)],
      transportErrors: [],
      truncated: true,
    });
    expect(s.reason).toBe(ReasonCode.LIMIT_EXCEEDED);
    expect(s.error).toBe(false);
  });

  it('a spent budget is LIMIT_EXCEEDED (a decision, not an error) even when the checked signatures failed otherwise', () => {
    const s = summarise({
      checks: [check(ReasonCode.SIGNATURE_INVALID), check(ReasonCode.DIGEST_MISMATCH)],
      transportErrors: [],
      truncated: false,
      budgetExhausted: new GuardError(
        ReasonCode.LIMIT_EXCEEDED,
        'the verification budget of 200 requests ran out',
      ),
    });
    expect(s).toMatchObject({ verified: false, error: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(s.message).toContain('2 signature(s) checked');
    expect(s.message).toContain('budget of 200 requests');
  });

  it('a valid signature found before the budget ran out still verifies', () => {
    const s = summarise({
      checks: [check(ReasonCode.VERIFIED, true, 'ci')],
      transportErrors: [],
      truncated: false,
      budgetExhausted: new GuardError(ReasonCode.LIMIT_EXCEEDED, 'spent'),
    });
    expect(s).toMatchObject({ verified: true, reason: ReasonCode.VERIFIED });
  });
});
