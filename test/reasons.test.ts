import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_REASON_CODES, ReasonCode, isReasonCode } from '../lambda/reasons';

describe('reason codes', () => {
  it('contains every code the original contract fixes, spelled exactly', () => {
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

  it('documents exactly the codes the code has, in docs/reason-codes.md', () => {
    const doc = readFileSync(path.join(__dirname, '..', 'docs', 'reason-codes.md'), 'utf8');
    const documented = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...ALL_REASON_CODES].sort());
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
