import { invalid } from '../failure';
import type { ParsedCertificate } from '../x509/certificate';

const X509_SUBJECT_PREFIX = 'x509.subject';
const WILDCARD = '*';
const MANDATORY_ATTRIBUTES = ['C', 'ST', 'O'] as const;

/** A DN as notation-go compares it: attribute type → value, each type at most once. */
export type DistinguishedNameMap = ReadonlyMap<string, string>;

class DnError extends Error {}

/** Splits on unescaped separators and unescapes RFC 4514 values (`\,` and `\XX` hex pairs, quotes). */
function splitUnescaped(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (!quoted && separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new DnError('unterminated quoted value');
  parts.push(current);
  return parts;
}

function unescapeValue(raw: string): string {
  let value = raw.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] as string;
    if (ch === '\\') {
      const pair = value.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 2;
        continue;
      }
      const next = value[i + 1];
      if (next === undefined) throw new DnError('a value ends with a lone backslash');
      bytes.push(...Buffer.from(next, 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * notation-go ParseDistinguishedName (RFC 4514 via go-ldap): no `=#` values, no multi-valued RDNs,
 * no repeated attribute types, `S` is an alias of `ST`, and C, ST and O are mandatory.
 */
export function parseDistinguishedName(dn: string): DistinguishedNameMap {
  if (dn.includes('=#')) throw new DnError(`"=#" (BER-encoded) values are not supported in "${dn}"`);
  const map = new Map<string, string>();
  for (const rdn of splitUnescaped(dn, ',;')) {
    if (splitUnescaped(rdn, '+').length > 1)
      throw new DnError(`multi-valued RDN "${rdn.trim()}" is not supported`);
    const eq = rdn.indexOf('=');
    if (eq <= 0) throw new DnError(`"${rdn.trim()}" is not type=value`);
    let type = rdn.slice(0, eq).trim();
    if (type === 'S') type = 'ST';
    if (!/^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/.test(type))
      throw new DnError(`"${type}" is not an attribute type`);
    if (map.has(type)) throw new DnError(`attribute ${type} appears more than once`);
    map.set(type, unescapeValue(rdn.slice(eq + 1)));
  }
  for (const field of MANDATORY_ATTRIBUTES) {
    if (!map.get(field))
      throw new DnError(`"${dn}" lacks the mandatory ${field} attribute (C, ST or S, and O are required)`);
  }
  return map;
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

function isSubset(subset: DistinguishedNameMap, of: DistinguishedNameMap): boolean {
  for (const [type, value] of subset) if (of.get(type) !== value) return false;
  return true;
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
      trusted.push({ entry: value.trim(), dn: parseDistinguishedName(value) });
    }
    if (trusted.length === 0) throw new DnError('no x509.subject trusted identities are configured');
    const leafDn = leafSubjectMap(leaf);
    const match = trusted.find((t) => isSubset(t.dn, leafDn));
    if (match !== undefined) return leaf.subject;
    throw new DnError(
      `the signing certificate subject "${leaf.subject}" matches none of the trusted identities ${trusted.map((t) => `"${t.entry}"`).join(', ')}`,
    );
  } catch (e) {
    if (e instanceof DnError) throw invalid('trustedIdentity', e.message);
    throw e;
  }
}
