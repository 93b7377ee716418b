import { ALL_REASON_CODES, ReasonCode, isReasonCode } from '../lambda/reasons';

describe('reason codes', () => {
  it('contains every code DESIGN.md fixes, spelled exactly', () => {
    const contract = [
      'VERIFIED',
      'TRUSTED_IMAGE',
      'NO_SIGNATURES',
      'SIGNATURE_INVALID',
      'DIGEST_MISMATCH',
      'TLOG_INVALID',
      'TLOG_MISSING',
      'NO_MATCHING_RULE',
      'NO_DIGEST',
      'INVALID_REFERENCE',
      'REGISTRY_UNAVAILABLE',
      'REGISTRY_AUTH',
      'KEY_UNAVAILABLE',
      'LIMIT_EXCEEDED',
      'TIMEOUT',
    ];
    for (const code of contract) expect(ALL_REASON_CODES).toContain(code);
  });

  it('maps each key to the same string and has no duplicates', () => {
    for (const [key, value] of Object.entries(ReasonCode)) expect(value).toBe(key);
    expect(new Set(ALL_REASON_CODES).size).toBe(ALL_REASON_CODES.length);
  });

  it('recognises codes and rejects other strings', () => {
    expect(isReasonCode('VERIFIED')).toBe(true);
    expect(isReasonCode('verified')).toBe(false);
    expect(isReasonCode(42)).toBe(false);
  });
});
