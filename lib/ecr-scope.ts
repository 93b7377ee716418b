import { ecrImageScope } from '../lambda/policy/ecr-images';

/**
 * Which ECR repositories the Lambda may read (manifests, signature blobs, referrers), derived from the
 * image patterns of the policy's rules: only images a rule matches are ever verified (trusted images
 * are skipped, unmatched images are decided by `noMatch` without a registry read).
 *
 * An ECR image pattern (any host form lambda/reference/ecr-host.ts knows: regular, FIPS, dual-stack, in
 * every partition) becomes `arn:PARTITION:ecr:REGION:ACCOUNT:repository/REPO`, the partition being the
 * host's own (or the stack's, when a wildcard region leaves it open). A pattern that could name any ECR repository (a rule with no `images`, `**`, a wildcard
 * host) widens to every repository of the stack's partition; a pattern whose host is not ECR
 * (`ghcr.io/...`, `public.ecr.aws/...`, which is read anonymously) needs none.
 */
export function ecrRepositoryArns(imagePatterns: readonly string[] | undefined, partition: string): string[] {
  const everything = `arn:${partition}:ecr:*:*:repository/*`;
  if (imagePatterns === undefined) return [everything];
  const arns = new Set<string>();
  for (const pattern of imagePatterns) {
    const scope = ecrImageScope(pattern);
    if (scope.kind === 'all') return [everything];
    if (scope.kind === 'none') continue;
    // Several partitions only when a wildcard region under amazonaws.com / on.aws may be commercial or
    // GovCloud: then the stack's own partition, the only one its role can reach.
    const partitions = scope.partitions.length === 1 ? scope.partitions : [partition];
    for (const p of partitions) {
      arns.add(`arn:${p}:ecr:${scope.region}:${scope.account}:repository/${scope.repository}`);
    }
  }
  return [...arns];
}
