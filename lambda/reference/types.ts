/** A parsed, normalised image reference (docs/cli.md). */
export interface ImageReference {
  /** Registry host as used on the wire, with port when given: `docker.io` is stored as `docker.io`. */
  registry: string;
  /** Repository path, lower case, Docker Hub official images prefixed with `library/`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` (or another OCI algorithm the parser accepts). */
  digest?: string;
}
