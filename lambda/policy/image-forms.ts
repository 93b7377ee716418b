/**
 * How an image pattern meets a reference that may carry a tag, a digest, or both.
 *
 * The container's image is given normalised (`docker.io/library/nginx:1.27`, plus `@sha256:…` when
 * the digest is known). A pattern matches when it matches ANY of these forms of the reference:
 *
 *   NAME                 docker.io/library/nginx                 (repository only)
 *   NAME:TAG             docker.io/library/nginx:1.27            (when there is a tag)
 *   NAME@DIGEST          docker.io/library/nginx@sha256:ab…      (when there is a digest)
 *   NAME:TAG@DIGEST      docker.io/library/nginx:1.27@sha256:ab… (when there are both)
 *
 * So:
 *   - `repo` (no tag or digest) matches the repository whatever the tag or digest;
 *   - `repo:*` matches any reference with a tag, whether or not a digest is also known;
 *     it does not match a digest-only reference (use `repo` or `repo@*` for that);
 *   - `repo@sha256:<hex>` pins one digest whatever the tag: the way a trustedImages entry pins an image.
 *     It can only match once the digest is known, so the caller passes the digest it will verify;
 *   - `repo:1.2@sha256:<hex>` pins both.
 * `*` never crosses `/`, so `registry/*` covers only images directly under `registry/`; use `**` for
 * deeper paths (`**` also runs over `:tag` and `@digest`).
 */

export interface ImageParts {
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `name[:tag][@digest]`; the tag is a `:` after the last `/` (a `:` before it is a port). */
export function splitImage(image: string): ImageParts {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  }
  return { name: rest, ...(digest ? { digest } : {}) };
}

export function imageMatchForms(image: string): string[] {
  const { name, tag, digest } = splitImage(image);
  const forms = [name];
  if (tag !== undefined) forms.push(`${name}:${tag}`);
  if (digest !== undefined) forms.push(`${name}@${digest}`);
  if (tag !== undefined && digest !== undefined) forms.push(`${name}:${tag}@${digest}`);
  return forms;
}
