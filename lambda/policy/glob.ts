/**
 * Glob patterns for images, clusters, services and task definition families (docs/policy.md).
 *
 *   `*`   any run of characters except `/` (so it never crosses a path segment)
 *   `**`  any run of characters, `/` included
 *   `?`   exactly one character that is not `/`
 *   everything else matches itself, case-sensitively; the whole string must match (anchored).
 *
 * Matching is an NFA simulation over the compiled tokens, not a regular expression: image names come
 * from whoever can run a task, and a backtracking regex with several `*` could be made to take
 * polynomial-to-exponential time on a crafted name. This runs in O(pattern × input) at worst.
 */

type Token =
  { kind: 'literal'; char: string } | { kind: 'star' } | { kind: 'globstar' } | { kind: 'any-one' };

/** Longest pattern the policy accepts (an image reference is at most a few hundred characters). */
export const MAX_GLOB_LENGTH = 1024;

export interface Glob {
  readonly pattern: string;
  matches(input: string): boolean;
}

/** Why `pattern` is not a valid glob, or undefined when it is. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'pattern is empty';
  if (pattern.length > MAX_GLOB_LENGTH) return `pattern is longer than ${MAX_GLOB_LENGTH} characters`;
  if (/\s/.test(pattern)) return 'pattern contains whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(pattern)) return 'pattern contains a control character';
  if (pattern.includes('***')) return '"***" is not a valid wildcard (use "*" or "**")';
  if (/[[\]{}]/.test(pattern)) {
    return 'character classes and braces ("[", "]", "{", "}") are not supported; list alternatives as separate patterns';
  }
  return undefined;
}

/** Compiles a glob once; throws when `globProblem` reports a problem (the policy schema checks first). */
export function compileGlob(pattern: string): Glob {
  const problem = globProblem(pattern);
  if (problem !== undefined) throw new Error(`invalid glob ${JSON.stringify(pattern)}: ${problem}`);
  const tokens = tokenize(pattern);
  if (tokens.every((t) => t.kind === 'literal')) {
    return { pattern, matches: (input) => input === pattern };
  }
  return { pattern, matches: (input) => simulate(tokens, input) };
}

/** True when `pattern` has no wildcard, i.e. matches exactly one string. */
export function isLiteralGlob(pattern: string): boolean {
  return !/[*?]/.test(pattern);
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') {
      if (chars[i + 1] === '*') {
        tokens.push({ kind: 'globstar' });
        i++;
      } else {
        tokens.push({ kind: 'star' });
      }
    } else if (c === '?') {
      tokens.push({ kind: 'any-one' });
    } else {
      tokens.push({ kind: 'literal', char: c });
    }
  }
  return tokens;
}

/** Runs the token NFA over `input`; states are token positions, `tokens.length` is accepting. */
function simulate(tokens: Token[], input: string): boolean {
  const n = tokens.length;
  let current = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  current[0] = 1;
  closeOverWildcards(tokens, current);
  for (const c of input) {
    next.fill(0);
    let alive = false;
    for (let s = 0; s < n; s++) {
      if (current[s] === 0) continue;
      const t = tokens[s] as Token;
      const target = step(t, s, c);
      if (target !== undefined) {
        next[target] = 1;
        alive = true;
      }
    }
    if (!alive) return false;
    closeOverWildcards(tokens, next);
    [current, next] = [next, current];
  }
  return current[n] === 1;
}

/** The state reached from state `s` (token `t`) on character `c`, if any. */
function step(t: Token, s: number, c: string): number | undefined {
  switch (t.kind) {
    case 'literal':
      return t.char === c ? s + 1 : undefined;
    case 'any-one':
      return c !== '/' ? s + 1 : undefined;
    case 'star':
      return c !== '/' ? s : undefined;
    case 'globstar':
      return s;
  }
}

/** A wildcard may match nothing: a state before `*`/`**` also stands after it. */
function closeOverWildcards(tokens: Token[], states: Uint8Array): void {
  for (let s = 0; s < tokens.length; s++) {
    const kind = (tokens[s] as Token).kind;
    if (states[s] === 1 && (kind === 'star' || kind === 'globstar')) states[s + 1] = 1;
  }
}
