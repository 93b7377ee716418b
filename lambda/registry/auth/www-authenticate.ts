/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1, formerly RFC 7235 §4.1): one or more
 * challenges, each `scheme [ token68 | #auth-param ]`, separated by commas, parameters as
 * `name=token` or `name="quoted \"string\""`. Several header lines arrive joined by ", ".
 * Pure; never throws — unreadable trailing text is ignored.
 */
export interface AuthChallenge {
  /** Lower case: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names in lower case (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const WHITESPACE = /[ \t]*/y;
const SEPARATORS = /[ \t,]*/y;
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*(?=[ \t]*(?:,|$))/y;

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const m = pattern.exec(this.text);
    if (!m) return undefined;
    this.position = pattern.lastIndex;
    return m[0];
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  get done(): boolean {
    return this.position >= this.text.length;
  }
}

function readQuoted(cursor: Cursor): string | undefined {
  if (cursor.peek() !== '"') return undefined;
  let value = '';
  for (let i = cursor.position + 1; i < cursor.text.length; i++) {
    const c = cursor.text[i];
    if (c === '\\' && i + 1 < cursor.text.length) {
      value += cursor.text[++i];
    } else if (c === '"') {
      cursor.position = i + 1;
      return value;
    } else {
      value += c;
    }
  }
  return undefined; // unterminated
}

/** Reads `name = value` at the cursor; restores the cursor and returns undefined if it is not a parameter. */
function readParam(cursor: Cursor): [string, string] | undefined {
  const start = cursor.position;
  const name = cursor.match(TOKEN);
  cursor.match(WHITESPACE);
  if (name === undefined || cursor.peek() !== '=') {
    cursor.position = start;
    return undefined;
  }
  cursor.position++;
  cursor.match(WHITESPACE);
  const value = readQuoted(cursor) ?? cursor.match(TOKEN);
  if (value === undefined) {
    cursor.position = start;
    return undefined;
  }
  return [name.toLowerCase(), value];
}

export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  const cursor = new Cursor(header);
  const challenges: AuthChallenge[] = [];
  while (true) {
    cursor.match(SEPARATORS);
    if (cursor.done) break;
    const scheme = cursor.match(TOKEN);
    if (scheme === undefined) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    if (cursor.match(/[ \t]+/y) === undefined) continue;

    const first = readParam(cursor);
    if (first === undefined) {
      const token68 = cursor.match(TOKEN68);
      if (token68 !== undefined) challenge.token68 = token68;
      continue;
    }
    // Parameters, until something that is not `name=` (the next challenge's scheme).
    const params = new Map<string, string>([first]);
    while (true) {
      cursor.match(SEPARATORS);
      const param = readParam(cursor);
      if (param === undefined) break;
      if (!params.has(param[0])) params.set(param[0], param[1]);
    }
    challenge.params = Object.fromEntries(params);
  }
  return challenges;
}
