import type { NotationFormat, SigningScheme } from '../types';
import { malformed, unsupported } from '../failure';
import { RECOGNISED_CRITICAL_ATTRIBUTES } from '../aws-signer/attributes';

export const SIGNING_SCHEME_HEADER = 'io.cncf.notary.signingScheme';
export const SIGNING_TIME_HEADER = 'io.cncf.notary.signingTime';
export const AUTHENTIC_SIGNING_TIME_HEADER = 'io.cncf.notary.authenticSigningTime';
export const EXPIRY_HEADER = 'io.cncf.notary.expiry';
/** Notary protected-header labels whose values are times (JWS: RFC 3339 text; COSE: CBOR tag 1). */
export const TIME_HEADERS: readonly string[] = [
  SIGNING_TIME_HEADER,
  AUTHENTIC_SIGNING_TIME_HEADER,
  EXPIRY_HEADER,
];
const NOTARY_HEADERS: ReadonlySet<string> = new Set([SIGNING_SCHEME_HEADER, ...TIME_HEADERS]);

const SIGNING_SCHEMES: readonly SigningScheme[] = ['notary.x509', 'notary.x509.signingAuthority'];

export interface ExtendedAttribute {
  value: unknown;
  critical: boolean;
}

/** The signed attributes of a Notary signature, from either envelope format. */
export interface SignedAttributes {
  signingScheme: SigningScheme;
  /** `signingTime` (notary.x509) or `authenticSigningTime` (notary.x509.signingAuthority). */
  signingTime: Date;
  expiry: Date | undefined;
  /** Every protected header entry that is not a Notary or JOSE/COSE one, with whether `crit` lists it. */
  extended: ReadonlyMap<string, ExtendedAttribute>;
}

export interface ProtectedHeaderInput {
  format: NotationFormat;
  /** JWS `crit` / COSE label 2, as decoded. */
  crit: unknown;
  /** Text-labelled entries other than alg/cty/crit; the time labels already decoded to Date by the format. */
  entries: ReadonlyMap<string, unknown>;
}

/**
 * notation-core-go's protected-header rules, shared by JWS and COSE: `crit` present and non-empty,
 * listing signingScheme, expiry (when present) and authenticSigningTime (signingAuthority); every
 * `crit` entry present; the scheme's own time and not the other one; expiry after the signing time;
 * and no critical extended attribute this verifier does not recognise.
 */
export function validateProtectedHeader(input: ProtectedHeaderInput): SignedAttributes {
  const { entries } = input;
  if (!Array.isArray(input.crit) || input.crit.length === 0)
    throw malformed('the protected header has no "crit" list');
  const crit: string[] = [];
  for (const label of input.crit as unknown[]) {
    if (typeof label !== 'string')
      throw unsupported(`critical header label ${JSON.stringify(label)} is not supported`);
    crit.push(label);
  }

  const scheme = entries.get(SIGNING_SCHEME_HEADER);
  if (scheme === undefined) throw malformed(`the protected header has no "${SIGNING_SCHEME_HEADER}"`);
  if (!SIGNING_SCHEMES.includes(scheme as SigningScheme)) {
    throw unsupported(
      `signing scheme ${JSON.stringify(scheme)} is not notary.x509 or notary.x509.signingAuthority`,
    );
  }
  const signingScheme = scheme as SigningScheme;
  const [timeLabel, otherLabel] =
    signingScheme === 'notary.x509'
      ? [SIGNING_TIME_HEADER, AUTHENTIC_SIGNING_TIME_HEADER]
      : [AUTHENTIC_SIGNING_TIME_HEADER, SIGNING_TIME_HEADER];
  if (entries.has(otherLabel))
    throw malformed(`"${otherLabel}" must not be present under signing scheme ${signingScheme}`);
  const signingTime = entries.get(timeLabel);
  if (!(signingTime instanceof Date))
    throw malformed(`"${timeLabel}" is required under signing scheme ${signingScheme}`);
  const expiry = entries.get(EXPIRY_HEADER);
  if (expiry !== undefined && !(expiry instanceof Date)) throw malformed(`"${EXPIRY_HEADER}" is not a time`);

  const mustBeCritical = [SIGNING_SCHEME_HEADER];
  if (expiry !== undefined) mustBeCritical.push(EXPIRY_HEADER);
  if (signingScheme === 'notary.x509.signingAuthority') mustBeCritical.push(AUTHENTIC_SIGNING_TIME_HEADER);
  const missing = mustBeCritical.filter((label) => !crit.includes(label));
  if (missing.length > 0) throw malformed(`required headers are not marked critical: ${missing.join(', ')}`);
  for (const label of crit) {
    // JWS (RFC 7515 §4.1.11) may only list extension headers; notation-core-go's COSE check only needs presence.
    const listable = input.format === 'notation-cose' ? true : label !== SIGNING_TIME_HEADER;
    if (!entries.has(label) || !listable)
      throw malformed(`"${label}" is marked critical but is not a present extension header`);
  }

  if (expiry !== undefined && expiry.getTime() <= signingTime.getTime()) {
    throw malformed(
      `expiry ${expiry.toISOString()} is not after the signing time ${signingTime.toISOString()}`,
    );
  }

  const extended = new Map<string, ExtendedAttribute>();
  for (const [label, value] of entries) {
    if (NOTARY_HEADERS.has(label)) continue;
    const critical = crit.includes(label);
    if (critical && !RECOGNISED_CRITICAL_ATTRIBUTES.has(label)) {
      throw unsupported(
        `unknown critical attribute "${label}": this verifier cannot process it, so it must fail`,
      );
    }
    extended.set(label, { value, critical });
  }
  return { signingScheme, signingTime, expiry, extended };
}
