/**
 * Which ECR repositories the Lambda may read (manifests, signature blobs, referrers), derived from the
 * image patterns of the policy's rules: only images a rule matches are ever verified (trusted images
 * are skipped, unmatched images are decided by `noMatch` without a registry read).
 *
 * An ECR image pattern `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/REPO[:TAG|@DIGEST]` becomes
 * `arn:PARTITION:ecr:REGION:ACCOUNT:repository/REPO`, with glob `*`/`**`/`?` kept as IAM wildcards
 * (IAM `*` also crosses `/`, so the ARN pattern is never narrower than the glob). A pattern whose
 * registry host could be an ECR host but cannot be parsed (a rule with no `images`, `**`, a wildcard host)
 * widens to every repository; a pattern whose host is clearly not ECR (`ghcr.io/...`) needs none.
 */

export type EcrScope = { repositories: string[] };

const ECR_HOST =
  /^([0-9*?]+)\.dkr\.ecr(?:-fips)?\.([a-z0-9*?-]+)\.(amazonaws\.com|amazonaws\.com\.cn|[a-z0-9*?.-]+)$/;
const LITERAL_HOST = /^[A-Za-z0-9.-]+(?::\d+)?$/;

/** Repository ARN patterns for the rules' image patterns; empty when no rule can match an ECR image. */
export function ecrRepositoryArns(imagePatterns: readonly string[] | undefined, partition: string): string[] {
  const everything = `arn:${partition}:ecr:*:*:repository/*`;
  if (imagePatterns === undefined) return [everything];
  const arns = new Set<string>();
  for (const pattern of imagePatterns) {
    const slash = pattern.indexOf('/');
    const host = slash < 0 ? pattern : pattern.slice(0, slash);
    const path = slash < 0 ? '' : pattern.slice(slash + 1);
    if (host.includes('**') || path === '') return [everything];
    const ecr = ECR_HOST.exec(host);
    if (ecr === null) {
      if (LITERAL_HOST.test(host) && !/amazonaws\.com/.test(host)) continue; // a known non-ECR registry
      if (/[*?]/.test(host)) return [everything]; // a host glob that might name an ECR registry
      continue;
    }
    const [, account, region] = ecr;
    arns.add(
      `arn:${partition}:ecr:${wild(region!)}:${wild(account!)}:repository/${wild(repositoryOf(path))}`,
    );
  }
  return [...arns];
}

/** The repository part of `REPO[:TAG][@DIGEST]` (a `:` after the last `/` starts the tag). */
function repositoryOf(path: string): string {
  const at = path.indexOf('@');
  const noDigest = at < 0 ? path : path.slice(0, at);
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  const repo = colon < 0 ? noDigest : noDigest.slice(0, colon);
  return repo === '' ? '*' : repo;
}

function wild(glob: string): string {
  return glob.replace(/\*\*/g, '*');
}
