/**
 * Syntax of the identities a Notation signer trusts, checked when the policy loads (matching a
 * signature against them is the verifier's job):
 *   - AWS Signer signing-profile ARNs: `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`
 *     (any version of the profile) or `…/<name>/<version>` (that version only), in the commercial
 *     (`aws`), GovCloud (`aws-us-gov`) and China (`aws-cn`) partitions;
 *   - `x509.subject: <DN>` entries as notation-go accepts them (RFC 4514; must contain C, ST (or S) and O;
 *     no multi-valued RDNs; no `#` hex values; each attribute once; no two entries overlapping, that is
 *     one a subset of the other), or `*` alone.
 */

/** Profile names: 2–64 of `[A-Za-z0-9_]`; versions: exactly 10 of `[A-Za-z0-9]` (AWS Signer API). */
const SIGNING_PROFILE_ARN_RE =
  /^arn:(aws|aws-us-gov|aws-cn):signer:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):\/signing-profiles\/([A-Za-z0-9_]{2,64})(?:\/([A-Za-z0-9]{10}))?$/;

export const SIGNING_PROFILE_ARN_FORM =
  'arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] (partition aws, aws-us-gov or aws-cn)';

export interface SigningProfileArn {
  partition: string;
  region: string;
  account: string;
  profileName: string;
  /** Absent for a profile ARN (any version matches). */
  version?: string;
}

export function parseSigningProfileArn(value: string): SigningProfileArn | undefined {
  const m = SIGNING_PROFILE_ARN_RE.exec(value);
  if (m === null) return undefined;
  const [, partition, region, account, profileName, version] = m as unknown as string[];
  return {
    partition: partition as string,
    region: region as string,
    account: account as string,
    profileName: profileName as string,
    ...(version === undefined ? {} : { version }),
  };
}

/** Why `value` is not a signing-profile (version) ARN the guard accepts, or undefined. */
export function signingProfileArnProblem(value: string): string | undefined {
  const arn = parseSigningProfileArn(value);
  if (arn === undefined) {
    if (/^arn:[^:]*:signer:[^:]*:[^:]*:\/signing-jobs\//.test(value)) {
      return 'is a signing-job ARN; trust a signing profile (or profile version) ARN';
    }
    return `must be ${SIGNING_PROFILE_ARN_FORM}`;
  }
  const gov = arn.region.startsWith('us-gov-');
  const china = arn.region.startsWith('cn-');
  if ((arn.partition === 'aws-us-gov') !== gov || (arn.partition === 'aws-cn') !== china) {
    return `region ${arn.region} is not in partition ${arn.partition}`;
  }
  return undefined;
}

export const X509_SUBJECT_PREFIX = 'x509.subject:';

/** A parsed DN: attribute type (upper-case, `S` read as `ST`) → value. */
export type DistinguishedName = Map<string, string>;

const REQUIRED_DN_ATTRIBUTES = ['C', 'ST', 'O'] as const;

/** Parses an RFC 4514 DN as notation-go does for trusted identities; a string says what is wrong. */
export function parseDistinguishedName(dn: string): DistinguishedName | string {
  const attributes: DistinguishedName = new Map();
  let i = 0;
  const n = dn.length;
  const skipSpaces = () => {
    while (i < n && dn[i] === ' ') i++;
  };
  skipSpaces();
  if (i === n) return 'is empty';
  while (i < n) {
    skipSpaces();
    const typeStart = i;
    while (i < n && /[A-Za-z0-9.-]/.test(dn[i] as string)) i++;
    const rawType = dn.slice(typeStart, i);
    skipSpaces();
    if (rawType === '' || dn[i] !== '=') {
      return `expected ATTRIBUTE=value at character ${typeStart + 1}`;
    }
    i++; // '='
    skipSpaces();
    if (dn[i] === '#') return 'hex-encoded values ("=#…") are not supported';
    let value = '';
    let trailingSpaces = 0;
    let quoted = false;
    if (dn[i] === '"') {
      quoted = true;
      i++;
      while (i < n && dn[i] !== '"') {
        if (dn[i] === '\\') {
          const esc = unescapeAt(dn, i);
          if (typeof esc === 'string') return esc;
          value += esc.char;
          i = esc.next;
        } else value += dn[i++];
      }
      if (i === n) return 'has an unterminated quoted value';
      i++; // closing quote
      skipSpaces();
    }
    while (!quoted && i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
      if (dn[i] === '\\') {
        const esc = unescapeAt(dn, i);
        if (typeof esc === 'string') return esc;
        value += esc.char;
        trailingSpaces = 0;
        i = esc.next;
        continue;
      }
      if (dn[i] === '"' || dn[i] === '=') return `has an unescaped "${dn[i]}" in the value of ${rawType}`;
      trailingSpaces = dn[i] === ' ' ? trailingSpaces + 1 : 0;
      value += dn[i++];
    }
    if (!quoted) value = value.slice(0, value.length - trailingSpaces);
    if (dn[i] === '+') return 'has a multi-valued RDN ("+"), which notation does not support';
    if (dn[i] === ';') return 'separates RDNs with ";"; use ","';
    const type = rawType.toUpperCase() === 'S' ? 'ST' : rawType.toUpperCase();
    if (value === '') return `has an empty value for ${rawType}`;
    if (attributes.has(type)) return `has ${type} more than once`;
    attributes.set(type, value);
    if (i < n) {
      i++; // ','
      if (dn.slice(i).trim() === '') return 'ends with ","';
    }
  }
  const missing = REQUIRED_DN_ATTRIBUTES.filter((a) => !attributes.has(a));
  if (missing.length > 0) {
    return `must contain C, ST and O (missing ${missing.join(', ')})`;
  }
  return attributes;
}

/** Whether every attribute of `a` is in `b` with the same value (notation's overlap / match rule). */
export function isSubsetDn(a: DistinguishedName, b: DistinguishedName): boolean {
  for (const [type, value] of a) if (b.get(type) !== value) return false;
  return true;
}

export interface IdentityIssue {
  /** Index into the identity list, or undefined for the list as a whole. */
  index?: number;
  message: string;
}

/**
 * Problems in a `trustedIdentities` list of generic Notation trust: `*` alone, or `x509.subject:` DNs
 * that parse and do not overlap.
 */
export function trustedIdentityIssues(identities: readonly string[]): IdentityIssue[] {
  const issues: IdentityIssue[] = [];
  if (identities.includes('*')) {
    if (identities.length > 1) {
      issues.push({ message: '"*" (any identity) must be the only entry when it is used' });
    }
    return issues;
  }
  const parsed: { index: number; dn: DistinguishedName; raw: string }[] = [];
  identities.forEach((identity, index) => {
    if (!identity.startsWith(X509_SUBJECT_PREFIX)) {
      const hint = parseSigningProfileArn(identity)
        ? '; an AWS Signer profile ARN belongs in awsSigner.signingProfiles'
        : '';
      issues.push({
        index,
        message: `must be "*" or "${X509_SUBJECT_PREFIX} <DN>" (for example "x509.subject: C=US, ST=WA, O=acme")${hint}`,
      });
      return;
    }
    const raw = identity.slice(X509_SUBJECT_PREFIX.length).trim();
    const dn = parseDistinguishedName(raw);
    if (typeof dn === 'string') {
      issues.push({ index, message: `the subject DN ${JSON.stringify(raw)} ${dn}` });
      return;
    }
    parsed.push({ index, dn, raw });
  });
  for (const a of parsed) {
    for (const b of parsed) {
      if (a.index < b.index && (isSubsetDn(a.dn, b.dn) || isSubsetDn(b.dn, a.dn))) {
        issues.push({
          index: b.index,
          message: `overlaps with entry ${a.index} (${JSON.stringify(a.raw)}): one subject's attributes are a subset of the other's, so one entry is redundant or a mistake`,
        });
      }
    }
  }
  return issues;
}

function unescapeAt(dn: string, at: number): { char: string; next: number } | string {
  const next = dn[at + 1];
  if (next === undefined) return 'ends with an unfinished "\\" escape';
  if (/[0-9A-Fa-f]/.test(next) && /[0-9A-Fa-f]/.test(dn[at + 2] ?? '')) {
    // A hex pair is one UTF-8 byte; several pairs make one character.
    const bytes: number[] = [];
    let i = at;
    while (dn[i] === '\\' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 1, i + 3))) {
      bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
      i += 3;
    }
    return { char: Buffer.from(bytes).toString('utf8'), next: i };
  }
  if (',+"\\<>;= #'.includes(next)) return { char: next, next: at + 2 };
  return `has an invalid escape "\\${next}"`;
}
