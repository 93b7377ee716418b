/**
 * Syntax of the identities a Notation signer trusts, checked when the policy loads (matching a
 * signature against them is the verifier's job):
 *   - AWS Signer signing-profile ARNs: `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`
 *     (any version of the profile) or `…/<name>/<version>` (that version only), in the commercial
 *     (`aws`), GovCloud (`aws-us-gov`) and China (`aws-cn`) partitions;
 *   - `x509.subject: <DN>` entries, read by the verifier's own DN parser (notation/trust/x509-identity.ts,
 *     free of jose, cbor2 and pkijs), so what loads here is what verification understands; no two
 *     entries overlapping (one a subset of the other); or `*` alone.
 */
import {
  DistinguishedNameError,
  isSubsetDn,
  parseDistinguishedName,
  type DistinguishedNameMap,
} from '../notation/trust/x509-identity';

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
  const parsed: { index: number; dn: DistinguishedNameMap; raw: string }[] = [];
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
    try {
      parsed.push({ index, dn: parseDistinguishedName(raw), raw });
    } catch (e) {
      if (!(e instanceof DistinguishedNameError)) throw e;
      issues.push({ index, message: `the subject DN ${JSON.stringify(raw)} ${e.message}` });
    }
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
