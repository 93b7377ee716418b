/**
 * The one place that knows what an Amazon ECR registry host looks like. The runtime sends ECR
 * credentials only to hosts `isEcrRegistry` accepts (registry/credentials/ecr-provider.ts); the stack
 * derives its ECR grants from the same table (`ecrRegistriesMatching`, used by policy/ecr-images.ts),
 * so every host the runtime treats as ECR gets an IAM grant, and no other host does.
 *
 * Host forms, as the ECR credential helper (awslabs/amazon-ecr-credential-helper) recognises them:
 *   <12-digit account>.dkr.ecr.<region>.<suffix>        the registry endpoint
 *   <12-digit account>.dkr.ecr-fips.<region>.<suffix>   its FIPS endpoint
 *   <12-digit account>.dkr-ecr.<region>.<suffix>        its dual-stack (IPv6) endpoint
 * without a port, in the partitions below. ECR Public (`public.ecr.aws`) is not one of them: the
 * runtime pulls from it anonymously (the registry's token service gives anonymous pull tokens), so it
 * needs neither credentials nor IAM.
 */
import { isLiteralGlob } from '../policy/glob';

/** An AWS partition as ECR hosts name it: its regions start with `regionPrefix`. */
export interface EcrPartition {
  /** The ARN partition: `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string;
  /** Regions of the partition start with this (`cn-`, `us-gov-`); `aws` is every other region. */
  regionPrefix: string;
  /** Host name suffixes of the partition's ECR endpoints (regular and dual-stack). */
  suffixes: readonly string[];
}

/** Partitions with their region prefixes and DNS suffixes (the CDK's region-info and the SDK's partition table). */
export const ECR_PARTITIONS: readonly EcrPartition[] = [
  { partition: 'aws-cn', regionPrefix: 'cn-', suffixes: ['amazonaws.com.cn', 'on.amazonwebservices.com.cn'] },
  { partition: 'aws-us-gov', regionPrefix: 'us-gov-', suffixes: ['amazonaws.com', 'on.aws'] },
  { partition: 'aws-iso', regionPrefix: 'us-iso-', suffixes: ['c2s.ic.gov'] },
  { partition: 'aws-iso-b', regionPrefix: 'us-isob-', suffixes: ['sc2s.sgov.gov'] },
  { partition: 'aws-iso-e', regionPrefix: 'eu-isoe-', suffixes: ['cloud.adc-e.uk'] },
  { partition: 'aws-iso-f', regionPrefix: 'us-isof-', suffixes: ['csp.hci.ic.gov'] },
  { partition: 'aws-eusc', regionPrefix: 'eusc-', suffixes: ['amazonaws.eu'] },
  // Last: the commercial partition has every region the others do not claim.
  { partition: 'aws', regionPrefix: '', suffixes: ['amazonaws.com', 'on.aws'] },
];

/** What an Amazon ECR private registry host name says about itself. */
export interface EcrRegistryInfo {
  accountId: string;
  region: string;
  /** `<acct>.dkr.ecr-fips.<region>…`: the FIPS endpoint. */
  fips: boolean;
  /** `<acct>.dkr-ecr.<region>…`: the dual-stack (IPv6) endpoint. */
  dualStack: boolean;
  /** The partition's DNS suffix: `amazonaws.com`, `amazonaws.com.cn`, `on.aws`, `sc2s.sgov.gov`, … */
  partitionSuffix: string;
  /** The ARN partition of the region: `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string;
}

const SUFFIXES = [...new Set(ECR_PARTITIONS.flatMap((p) => p.suffixes))];
const SUFFIX_ALTERNATIVES = SUFFIXES.map((s) => s.replace(/\./g, '\\.')).join('|');

/** The host shape with the given account and region patterns (plain, or also allowing glob characters). */
function hostShape(account: string, region: string): RegExp {
  return new RegExp(`^(${account})\\.dkr([.-])ecr(-fips)?\\.(${region})\\.(${SUFFIX_ALTERNATIVES})$`);
}

const ECR_HOST = hostShape('\\d+', '[a-z0-9][a-z0-9_-]*');
const ACCOUNT_ID = /^\d{12}$/;

/** The partition a region belongs to (by its prefix, as the SDK and the CDK tell them apart). */
function partitionOfRegion(region: string): EcrPartition {
  return ECR_PARTITIONS.find((p) => region.startsWith(p.regionPrefix)) as EcrPartition;
}

/** ECR private registry details for `host`, or undefined when it is not an ECR private registry. */
export function isEcrRegistry(host: string): EcrRegistryInfo | undefined {
  const match = ECR_HOST.exec(host.toLowerCase());
  if (!match) return undefined;
  const [, accountId = '', separator, fips, region = '', partitionSuffix = ''] = match;
  if (!ACCOUNT_ID.test(accountId)) return undefined;
  // A suffix of another partition than the region's is no ECR endpoint (eu-west-1 under amazonaws.com.cn).
  const partition = partitionOfRegion(region);
  if (!partition.suffixes.includes(partitionSuffix)) return undefined;
  return {
    accountId,
    region,
    fips: fips !== undefined,
    dualStack: separator === '-',
    partitionSuffix,
    partition: partition.partition,
  };
}

/**
 * Which ECR registries a host glob (policy glob syntax: `*` and `?` wildcards) can name:
 *   - `none`: none (a literal host that is not ECR, such as `ghcr.io` or `public.ecr.aws`);
 *   - `some`: the registries of `account` in `region` (both may hold `*`/`?`, which mean the same in
 *     IAM ARNs) in each of `partitions`;
 *   - `any`: a glob that may name an ECR host but cannot be narrowed (`*.amazonaws.com`, `registry-*`).
 */
export type EcrRegistryGlob =
  | { kind: 'none' }
  | { kind: 'any' }
  | { kind: 'some'; account: string; region: string; partitions: string[] };

const ECR_HOST_GLOB = hostShape('[0-9*?]+', '[a-z0-9*?_-]+');

export function ecrRegistriesMatching(hostGlob: string): EcrRegistryGlob {
  const host = hostGlob.toLowerCase();
  if (isLiteralGlob(host)) {
    const info = isEcrRegistry(host);
    return info === undefined
      ? { kind: 'none' }
      : { kind: 'some', account: info.accountId, region: info.region, partitions: [info.partition] };
  }
  if (host.includes('**')) return { kind: 'any' };
  const match = ECR_HOST_GLOB.exec(host);
  if (!match) return { kind: 'any' };
  const [, account = '', , , region = '', suffix = ''] = match;
  const partitions = ECR_PARTITIONS.filter(
    (p) => p.suffixes.includes(suffix) && mayBeRegionOf(region, p),
  ).map((p) => p.partition);
  // No partition has both this suffix and such a region: the runtime would never call the host ECR.
  return partitions.length === 0 ? { kind: 'none' } : { kind: 'some', account, region, partitions };
}

/** Whether some region that `regionGlob` matches belongs to `partition`. */
function mayBeRegionOf(regionGlob: string, partition: EcrPartition): boolean {
  const literalPrefix = regionGlob.split(/[*?]/, 1)[0] ?? '';
  if (partition.regionPrefix === '') {
    // The default partition: every region that no other partition claims.
    return !ECR_PARTITIONS.some((p) => p.regionPrefix !== '' && literalPrefix.startsWith(p.regionPrefix));
  }
  if (isLiteralGlob(regionGlob)) return regionGlob.startsWith(partition.regionPrefix);
  return literalPrefix.startsWith(partition.regionPrefix) || partition.regionPrefix.startsWith(literalPrefix);
}
