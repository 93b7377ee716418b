import fc from 'fast-check';
import { compileGlob, globProblem, isLiteralGlob } from '../../lambda/policy/glob';

const matches = (pattern: string, input: string) => compileGlob(pattern).matches(input);

/** Characters that appear in references, cluster names and ARNs, plus the glob metacharacters' neighbours. */
const refChar = fc.constantFrom(...'abcxyz019-._:@/+AZ'.split(''));
const segmentChar = fc.constantFrom(...'abcxyz019-._:@+AZ'.split(''));
const literalText = fc.string({ unit: refChar, maxLength: 40 });
const segment = fc.string({ unit: segmentChar, maxLength: 20 });

describe('glob: examples', () => {
  it.each([
    ['prod-*', 'prod-eu-1', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'staging-1', false],
    ['prod-*', 'prod-a/b', false],
    ['*.dkr.ecr.*.amazonaws.com/**', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0', true],
    ['*.dkr.ecr.*.amazonaws.com/**', '111122223333.dkr.ecr.eu-west-1.amazonaws.com', false],
    ['*.dkr.ecr.*.amazonaws.com/**', 'evil.example/111122223333.dkr.ecr.eu-west-1.amazonaws.com/x', false],
    ['docker.io/library/*', 'docker.io/library/nginx:1.27', true],
    ['docker.io/library/*', 'docker.io/library/team/nginx', false],
    ['docker.io/**', 'docker.io/library/team/nginx', true],
    ['docker.io/**/nginx', 'docker.io/library/nginx', true],
    ['docker.io/**/nginx', 'docker.io/nginx', false],
    ['repo:?.?', 'repo:1.2', true],
    ['repo:?.?', 'repo:1.22', false],
    ['a?c', 'a/c', false],
    ['a.c', 'abc', false],
    ['a+b(c)|^$\\', 'a+b(c)|^$\\', true],
    ['a+b', 'aab', false],
    ['**', '', true],
    ['*', '', true],
    ['?', '', false],
    ['x*', 'X', false],
    ['arn:aws:ecs:*:111122223333:cluster/prod-*', 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu', true],
    [
      'arn:aws:ecs:*:111122223333:cluster/prod-*',
      'arn:aws:ecs:eu-west-1:999999999999:cluster/prod-eu',
      false,
    ],
  ])('%s vs %s → %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  it('is anchored at both ends', () => {
    expect(matches('nginx', 'docker.io/library/nginx')).toBe(false);
    expect(matches('nginx', 'nginx:latest')).toBe(false);
    expect(matches('nginx*', 'xnginx')).toBe(false);
  });

  it('handles non-ASCII input by code point', () => {
    expect(matches('caf?', 'café')).toBe(true);
    expect(matches('?', '😀')).toBe(true);
  });

  it('stays fast on inputs built to make backtracking regexes explode', () => {
    // With a backtracking regex this pattern against 2 000 "a"s takes astronomically long.
    const pattern = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
    const input = 'a'.repeat(2000);
    expect(matches(pattern, input)).toBe(false);
    expect(matches('**a**a**a**a**a**a**a**a**b', input)).toBe(false);
  });

  it('rejects invalid patterns', () => {
    expect(globProblem('')).toBe('pattern is empty');
    expect(globProblem('a'.repeat(1025))).toBe('pattern is longer than 1024 characters');
    expect(globProblem('a\tb')).toBe('pattern contains whitespace');
    expect(globProblem('a\u0000b')).toBe('pattern contains a control character');
    expect(globProblem('***')).toMatch(/^"\*\*\*" is not a valid wildcard/);
    expect(globProblem('a[bc]')).toMatch(/^character classes and braces/);
    expect(globProblem('a{b,c}')).toMatch(/^character classes and braces/);
    expect(() => compileGlob('')).toThrow('invalid glob "": pattern is empty');
    expect(globProblem('ok/**/x:*@sha256:?')).toBeUndefined();
  });

  it('tells literal patterns apart', () => {
    expect(isLiteralGlob('docker.io/library/nginx:1.27')).toBe(true);
    expect(isLiteralGlob('prod-*')).toBe(false);
    expect(isLiteralGlob('a?')).toBe(false);
  });
});

describe('glob: properties', () => {
  it('a literal pattern matches itself and nothing else', () => {
    fc.assert(
      fc.property(
        literalText.filter((s) => s.length > 0),
        literalText,
        (lit, other) => {
          expect(matches(lit, lit)).toBe(true);
          expect(matches(lit, other)).toBe(other === lit);
        },
      ),
    );
  });

  it('`*` never matches a `/`', () => {
    fc.assert(
      fc.property(segment, segment, segment, (prefix, a, b) => {
        const input = `${prefix}${a}/${b}`;
        expect(matches(`${prefix}*`, input)).toBe(false);
        expect(matches(`${prefix}*`, `${prefix}${a}`)).toBe(true);
      }),
    );
  });

  it('`*` matches exactly the `/`-free strings (also between literals)', () => {
    fc.assert(
      fc.property(segment, literalText, segment, (prefix, middle, suffix) => {
        const input = `${prefix}${middle}${suffix}`;
        expect(matches(`${prefix}*${suffix}`, input)).toBe(!middle.includes('/'));
      }),
    );
  });

  it('`**` matches any suffix, slashes included', () => {
    fc.assert(
      fc.property(literalText, literalText, (prefix, rest) => {
        fc.pre(!/[*?]/.test(prefix));
        expect(matches(`${prefix}**`, `${prefix}${rest}`)).toBe(true);
      }),
    );
  });

  it('`**` never matches a string without its literal prefix', () => {
    fc.assert(
      fc.property(
        literalText.filter((s) => s.length > 0),
        literalText,
        (prefix, input) => {
          fc.pre(!input.startsWith(prefix));
          expect(matches(`${prefix}**`, input)).toBe(false);
        },
      ),
    );
  });

  it('`?` matches exactly one character that is not `/`', () => {
    fc.assert(
      fc.property(segment, refChar, segment, (prefix, c, suffix) => {
        expect(matches(`${prefix}?${suffix}`, `${prefix}${c}${suffix}`)).toBe(c !== '/');
        expect(matches(`${prefix}?${suffix}`, `${prefix}${suffix}`)).toBe(false);
      }),
    );
  });

  it('agrees with a reference regex translation on random patterns and inputs', () => {
    const patternUnit = fc.oneof(refChar, fc.constant('*'), fc.constant('**'), fc.constant('?'));
    const pattern = fc
      .array(patternUnit, { minLength: 1, maxLength: 12 })
      .map((units) => units.join(''))
      .filter((p) => globProblem(p) === undefined);
    fc.assert(
      fc.property(pattern, literalText, (p, input) => {
        expect(matches(p, input)).toBe(referenceRegex(p).test(input));
      }),
      { numRuns: 500 },
    );
  });
});

/** Slow but obviously right: the translation the spec describes (only used on short strings). */
function referenceRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '[\\s\\S]*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}
