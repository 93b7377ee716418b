/**
 * AWS Signer's trusted-identity rule (aws-signer-notation-plugin validateTrustedIdentity): entries
 * that are not signer signing-profile ARNs are ignored; a profile ARN
 * (`arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`) matches any version of that
 * profile; a profile-version ARN (`…/<name>/<version>`) only itself; both case-insensitively. The
 * partition is part of the ARN, so a commercial profile never matches a GovCloud signature.
 */

export const AWS_SIGNER_WILDCARD_ERROR =
  'AWS Signer does not accept "*" as a trusted identity; list signing profile ARNs';

interface Arn {
  service: string;
  resource: string;
}

/** aws-sdk-go arn.Parse: `arn:` then partition, service, region, account, resource (which may contain ':'). */
function parseArn(value: string): Arn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const sections = value.split(':');
  if (sections.length < 6) return undefined;
  return { service: sections[2] as string, resource: sections.slice(5).join(':') };
}

function signingProfileArnParts(value: string): number | undefined {
  const arn = parseArn(value);
  if (arn === undefined || arn.service !== 'signer' || !arn.resource.startsWith('/signing-profiles/'))
    return undefined;
  return arn.resource.split('/').length;
}

/**
 * The trusted entry the signature's `signingProfileVersion` ARN matches, or undefined. Throws for `*`
 * (a policy error the plugin also refuses).
 */
export function matchAwsSignerIdentity(
  trustedProfiles: readonly string[],
  signatureProfileVersionArn: string,
): string | undefined {
  if (trustedProfiles.includes('*')) throw new Error(AWS_SIGNER_WILDCARD_ERROR);
  const lastSlash = signatureProfileVersionArn.lastIndexOf('/');
  const signatureProfile =
    lastSlash === -1 ? undefined : signatureProfileVersionArn.slice(0, lastSlash).toLowerCase();
  const signatureVersion = signatureProfileVersionArn.toLowerCase();
  for (const trusted of trustedProfiles) {
    const parts = signingProfileArnParts(trusted);
    const candidate = trusted.toLowerCase();
    if (parts === 3 && signatureProfile === candidate) return trusted;
    if (parts === 4 && signatureVersion === candidate) return trusted;
  }
  return undefined;
}
