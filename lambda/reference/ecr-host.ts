/** What an Amazon ECR private registry host name says about itself. */
export interface EcrRegistryInfo {
  accountId: string;
  region: string;
  /** `<acct>.dkr.ecr-fips.<region>…`: the FIPS endpoint. */
  fips: boolean;
  /** `<acct>.dkr-ecr.<region>.on.aws`: the dual-stack (IPv6) endpoint. */
  dualStack: boolean;
  /** The partition's DNS suffix: `amazonaws.com`, `amazonaws.com.cn`, `on.aws`, `sc2s.sgov.gov`, … */
  partitionSuffix: string;
}

// Host shapes as the ECR credential helper (awslabs/amazon-ecr-credential-helper) recognises them:
// <12-digit account>.dkr(.|-)ecr[-fips].<region>.<partition suffix>, without a port.
const ECR_HOST =
  /^(\d{12})\.dkr([.-])ecr(-fips)?\.([a-z0-9][a-z0-9_-]*)\.(amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|on\.aws|on\.amazonwebservices\.com\.cn|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

/** ECR private registry details for `host`, or undefined when it is not an ECR private registry. */
export function isEcrRegistry(host: string): EcrRegistryInfo | undefined {
  const match = ECR_HOST.exec(host.toLowerCase());
  if (!match) return undefined;
  const [, accountId, separator, fips, region, partitionSuffix] = match;
  if (accountId === undefined || region === undefined || partitionSuffix === undefined) return undefined;
  return {
    accountId,
    region,
    fips: fips !== undefined,
    dualStack: separator === '-',
    partitionSuffix,
  };
}
