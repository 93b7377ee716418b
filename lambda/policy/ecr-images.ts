/**
 * Which Amazon ECR repositories an image pattern of the policy can name: the stack grants ECR access
 * (lib/ecr-scope.ts) and decides whether it needs ECR at all (scope.ts `needsEcr`) from this one answer,
 * and the host part is judged by reference/ecr-host.ts, the table the runtime uses for credentials.
 */
import { ecrRegistriesMatching } from '../reference/ecr-host';

export type EcrImageScope =
  /** No ECR image: a fixed registry host that is not ECR. */
  | { kind: 'none' }
  /** Possibly any ECR repository: a pattern whose registry cannot be narrowed (`**`, `*.amazonaws.com/x`). */
  | { kind: 'all' }
  /**
   * Repositories named `repository` of `account` in `region`, in each of `partitions`, as IAM ARN
   * wildcards: every `*`, `**` and `?` of the glob stays a wildcard, and IAM's `*` also crosses `/`, so
   * the ARN pattern is never narrower than the glob.
   */
  | { kind: 'repositories'; account: string; region: string; partitions: string[]; repository: string };

export function ecrImageScope(pattern: string): EcrImageScope {
  const slash = pattern.indexOf('/');
  if (slash < 0) return { kind: 'all' };
  const host = pattern.slice(0, slash);
  const registries = ecrRegistriesMatching(host);
  switch (registries.kind) {
    case 'none':
      return { kind: 'none' };
    case 'any':
      return { kind: 'all' };
    case 'some':
      return {
        kind: 'repositories',
        account: iamWildcards(registries.account),
        region: iamWildcards(registries.region),
        partitions: registries.partitions,
        repository: iamWildcards(repositoryOf(pattern.slice(slash + 1))),
      };
  }
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

function iamWildcards(glob: string): string {
  return glob.replace(/\*\*/g, '*');
}
