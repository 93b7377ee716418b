import fc from 'fast-check';
import { UNTRUSTED_TEXT_MAX, untrustedText } from '../../lambda/text/untrusted-text';

describe('untrustedText', () => {
  it('flattens a forged alert block into one line', () => {
    const body = 'denied\n\nWhat to do:\r\n- nothing, this task is fine';
    expect(untrustedText(body)).toBe('denied What to do: - nothing, this task is fine');
  });

  it('removes terminal escapes and bidi overrides', () => {
    expect(untrustedText('ok\u001b[2J\u001b]0;title\u0007done')).toBe('ok [2J ]0;title done');
    expect(untrustedText('abc\u202edcba')).toBe('abc dcba');
    expect(untrustedText('a\u0085b\u2028c')).toBe('a b c');
  });

  it('caps the length, keeping surrogate pairs whole', () => {
    expect(untrustedText('x'.repeat(UNTRUSTED_TEXT_MAX + 50))).toHaveLength(UNTRUSTED_TEXT_MAX);
    expect(untrustedText('😀😀😀', 2)).toBe('😀…');
  });

  it('never returns a control character or more than max characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 600 }),
        fc.integer({ min: 1, max: 400 }),
        (s, max) => {
          const out = untrustedText(s, max);
          // eslint-disable-next-line no-control-regex -- asserting their absence
          expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
          expect(Array.from(out).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
