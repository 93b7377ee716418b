/**
 * `x509.subject:` trusted identities: the DN parser and notation-go's match against a leaf subject.
 * The policy checks (lambda/policy/notation-identities.ts) parse with this same parser, so this file
 * loads at the Lambda's start: no jose, cbor2 or pkijs here (the certificate import is a type only).
 */
import { invalid } from '../failure';
import type { ParsedCertificate } from '../x509/certificate';

const X509_SUBJECT_PREFIX = 'x509.subject';
const WILDCARD = '*';
const MANDATORY_ATTRIBUTES = ['C', 'ST', 'O'] as const;

/** A DN as notation-go compares it: attribute type → value, each type at most once. */
export type DistinguishedNameMap = ReadonlyMap<string, string>;

/**
 * Why a trusted-identity DN cannot be used. The message is a predicate ("has O more than once"):
 * callers prefix what they were reading (the policy, a trust-policy file, the verifier).
 */
export class DistinguishedNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DistinguishedNameError';
  }
}

/** A leaf subject or trusted identity notation-go would not match. */
class DnError extends Error {}

/** A dotted OID or a name starting with a letter (RFC 4514 attributeType). */
const ATTRIBUTE_TYPE_RE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;

/** One escape at `at` (`\,` or hex pairs, several making one UTF-8 character). */
function unescapeAt(dn: string, at: number): { char: string; next: number } {
  const next = dn[at + 1];
  if (next === undefined) throw new DistinguishedNameError('ends with an unfinished "\\" escape');
  if (/[0-9A-Fa-f]/.test(next) && /[0-9A-Fa-f]/.test(dn[at + 2] ?? '')) {
    const bytes: number[] = [];
    let i = at;
    while (dn[i] === '\\' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 1, i + 3))) {
      bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
      i += 3;
    }
    return { char: Buffer.from(bytes).toString('utf8'), next: i };
  }
  if (',+"\\<>;= #'.includes(next)) return { char: next, next: at + 2 };
  throw new DistinguishedNameError(`has an invalid escape "\\${next}"`);
}

/**
 * The one parser of `x509.subject:` DNs, for the policy checks and for verification alike, as
 * notation-go ParseDistinguishedName reads them (RFC 4514 via go-ldap): no `=#` values, no
 * multi-valued RDNs, each attribute type once and case-sensitive (`S` is an alias of `ST`), and
 * C, ST and O mandatory. Stricter than go-ldap where it would read a typo silently (`;` separators,
 * a trailing `,`, empty values, an unescaped `"` or `=` in a value): refused, never a wider match.
 * Throws a DistinguishedNameError saying what is wrong.
 */
export function parseDistinguishedName(dn: string): DistinguishedNameMap {
  const attributes = new Map<string, string>();
  const n = dn.length;
  let i = 0;
  const skipSpaces = (): void => {
    while (i < n && dn[i] === ' ') i++;
  };
  skipSpaces();
  if (i === n) throw new DistinguishedNameError('is empty');
  while (i < n) {
    skipSpaces();
    const typeStart = i;
    while (i < n && /[A-Za-z0-9.-]/.test(dn[i] as string)) i++;
    const rawType = dn.slice(typeStart, i);
    skipSpaces();
    if (rawType === '' || dn[i] !== '=') {
      throw new DistinguishedNameError(`expected ATTRIBUTE=value at character ${typeStart + 1}`);
    }
    if (!ATTRIBUTE_TYPE_RE.test(rawType)) {
      throw new DistinguishedNameError(`has "${rawType}", which is not an attribute type`);
    }
    i++; // '='
    skipSpaces();
    if (dn[i] === '#') {
      throw new DistinguishedNameError(
        'uses hex-encoded values ("=#…", BER-encoded), which notation does not support',
      );
    }
    let value = '';
    let trailingSpaces = 0;
    let quoted = false;
    if (dn[i] === '"') {
      quoted = true;
      i++;
      while (i < n && dn[i] !== '"') {
        if (dn[i] === '\\') {
          const esc = unescapeAt(dn, i);
          value += esc.char;
          i = esc.next;
        } else value += dn[i++];
      }
      if (i === n) throw new DistinguishedNameError('has an unterminated quoted value');
      i++; // closing quote
      skipSpaces();
    }
    while (!quoted && i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
      if (dn[i] === '\\') {
        const esc = unescapeAt(dn, i);
        value += esc.char;
        trailingSpaces = 0;
        i = esc.next;
        continue;
      }
      if (dn[i] === '"' || dn[i] === '=') {
        throw new DistinguishedNameError(`has an unescaped "${dn[i]}" in the value of ${rawType}`);
      }
      trailingSpaces = dn[i] === ' ' ? trailingSpaces + 1 : 0;
      value += dn[i++];
    }
    if (!quoted) value = value.slice(0, value.length - trailingSpaces);
    if (i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
      throw new DistinguishedNameError(`has text after the quoted value of ${rawType}`);
    }
    if (dn[i] === '+') {
      throw new DistinguishedNameError('has a multi-valued RDN ("+"), which notation does not support');
    }
    if (dn[i] === ';') throw new DistinguishedNameError('separates RDNs with ";"; use ","');
    const type = rawType === 'S' ? 'ST' : rawType;
    if (value === '') throw new DistinguishedNameError(`has an empty value for ${rawType}`);
    if (attributes.has(type)) throw new DistinguishedNameError(`has ${type} more than once`);
    attributes.set(type, value);
    if (i < n) {
      i++; // ','
      if (dn.slice(i).trim() === '') throw new DistinguishedNameError('ends with ","');
    }
  }
  const missing = MANDATORY_ATTRIBUTES.filter((a) => !attributes.has(a));
  if (missing.length > 0) {
    const list = missing.join(', ');
    // notation compares types exactly: `st=WA` is not ST.
    const miscased = [...attributes.keys()].filter((t) =>
      (missing as readonly string[]).includes(t.toUpperCase() === 'S' ? 'ST' : t.toUpperCase()),
    );
    const hint =
      miscased.length > 0
        ? `; attribute types are case-sensitive (found ${miscased.map((t) => `"${t}"`).join(', ')})`
        : '';
    throw new DistinguishedNameError(
      `must contain C, ST and O (missing ${list}): the mandatory ${list} ${missing.length > 1 ? 'attributes are' : 'attribute is'} absent${hint}`,
    );
  }
  return attributes;
}

/** Whether every attribute of `subset` is in `of` with the same value (notation's overlap and match rule). */
export function isSubsetDn(subset: DistinguishedNameMap, of: DistinguishedNameMap): boolean {
  for (const [type, value] of subset) if (of.get(type) !== value) return false;
  return true;
}

/**
 * The leaf subject as notation-go sees it after Go's pkix.Name.String(): attributes Go has no name
 * for are printed as `oid=#hex` (unsupported), repeated types become a multi-valued RDN (unsupported).
 */
function leafSubjectMap(leaf: ParsedCertificate): DistinguishedNameMap {
  if (leaf.multiValuedRdns > 0) throw new DnError('the signing certificate subject has a multi-valued RDN');
  const map = new Map<string, string>();
  for (const attribute of leaf.subjectAttributes) {
    if (!attribute.named)
      throw new DnError(
        `the signing certificate subject has attribute ${attribute.type}, which notation cannot compare`,
      );
    if (map.has(attribute.type))
      throw new DnError(`the signing certificate subject repeats ${attribute.type}`);
    map.set(attribute.type, attribute.value);
  }
  for (const field of MANDATORY_ATTRIBUTES) {
    if (!map.get(field))
      throw new DnError(`the signing certificate subject lacks the mandatory ${field} attribute`);
  }
  return map;
}

function parseTrustedDn(dn: string): DistinguishedNameMap {
  try {
    return parseDistinguishedName(dn);
  } catch (e) {
    if (e instanceof DistinguishedNameError)
      throw new DnError(`the trusted identity DN "${dn}" ${e.message}`);
    throw e;
  }
}

/**
 * notation-go verifyX509TrustedIdentities: `*` trusts any leaf; otherwise some `x509.subject: <DN>`
 * entry must be a subset of the leaf subject's attributes. Returns what matched (for the record).
 */
export function matchX509Identity(trustedIdentities: readonly string[], leaf: ParsedCertificate): string {
  if (trustedIdentities.includes(WILDCARD)) return leaf.subject;
  try {
    const trusted: Array<{ entry: string; dn: DistinguishedNameMap }> = [];
    for (const identity of trustedIdentities) {
      const colon = identity.indexOf(':');
      if (colon < 0) throw new DnError(`trusted identity "${identity}" has no "<type>:" prefix`);
      if (identity.slice(0, colon) !== X509_SUBJECT_PREFIX) continue;
      const value = identity.slice(colon + 1);
      if (value.trim() === '') throw new DnError(`trusted identity "${identity}" has no value`);
      trusted.push({ entry: value.trim(), dn: parseTrustedDn(value.trim()) });
    }
    if (trusted.length === 0) throw new DnError('no x509.subject trusted identities are configured');
    const leafDn = leafSubjectMap(leaf);
    const match = trusted.find((t) => isSubsetDn(t.dn, leafDn));
    if (match !== undefined) return leaf.subject;
    throw new DnError(
      `the signing certificate subject "${leaf.subject}" matches none of the trusted identities ${trusted.map((t) => `"${t.entry}"`).join(', ')}`,
    );
  } catch (e) {
    if (e instanceof DnError) throw invalid('trustedIdentity', e.message);
    throw e;
  }
}
