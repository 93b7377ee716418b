import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import { assertDigest } from './content-digest';
import { readIndexManifests } from './descriptor';
import { cancelBody, readBodyWithLimits } from './limits';
import { nextLink } from './link-header';
import { MediaType, baseMediaType } from './media-types';
import { referrersTagFor } from './referrers-tag';
import type { RegistrySession } from './session';
import { unexpectedStatus } from './status-errors';
import type { Descriptor, FetchedManifest, ReferrersResult, RepositoryRef, RequestOptions } from './types';

/** One page of the referrers API, or the signal to use the fallback tag. */
type ReferrersPage = 'unsupported' | { manifests: Descriptor[]; next: URL | undefined };

/** Statuses that mean "this registry has no referrers API" on the first referrers request (as in go-containerregistry). */
const REFERRERS_UNSUPPORTED = new Set([400, 404, 406]);

export type ReferrersOptions = RequestOptions & { artifactType?: string };
type GetManifest = (
  repo: RepositoryRef,
  reference: string,
  options: RequestOptions,
) => Promise<FetchedManifest | undefined>;

/**
 * Referrers of `subjectDigest` (distribution-spec v1.1 "Listing Referrers"): the API with
 * `Link` pagination (bounded pages and descriptors, next links only on the registry's origin);
 * when the API is missing (404/400/406, or a 200 that is not an OCI index), the
 * `sha256-<hex>` fallback tag; when that is missing too, none. Filtered by artifactType here
 * whatever the registry did with the filter. A failing API is an error, never "no referrers".
 */
export async function listReferrers(
  session: RegistrySession,
  getManifest: GetManifest,
  repo: RepositoryRef,
  subjectDigest: string,
  options: ReferrersOptions,
): Promise<ReferrersResult> {
  const target = session.target(repo);
  assertDigest(subjectDigest, 'subject digest');
  const { maxReferrerPages, maxManifestBytes } = session.options;
  const what = `referrers of ${subjectDigest} in ${repo.registry}/${repo.repository}`;
  const first = session.readRequest(
    target,
    `referrers/${subjectDigest}`,
    MediaType.OCI_INDEX,
    'referrers',
    what,
    options,
  );
  if (options.artifactType !== undefined) first.url.searchParams.set('artifactType', options.artifactType);

  const descriptors: Descriptor[] = [];
  let next: URL | undefined = first.url;
  for (let page = 1; next !== undefined; page++) {
    if (page > maxReferrerPages) {
      throw new GuardError(
        ReasonCode.LIMIT_EXCEEDED,
        `${what}: more than ${maxReferrerPages} pages of referrers`,
      );
    }
    options.budget?.spendManifest(`${what} (page ${page})`);
    const result: ReferrersPage = await session.send(
      target,
      { ...first, url: next },
      async (response, finalUrl) => {
        const contentType = baseMediaType(response.headers.get('content-type'));
        const unsupported =
          REFERRERS_UNSUPPORTED.has(response.status) ||
          (response.status === 200 && contentType !== MediaType.OCI_INDEX);
        if (page === 1 && unsupported) {
          await cancelBody(response);
          return 'unsupported';
        }
        if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
        if (contentType !== MediaType.OCI_INDEX) {
          await cancelBody(response);
          throw new GuardError(
            ReasonCode.UNSUPPORTED_FORMAT,
            `${what}: page ${page} is ${untrustedText(String(contentType), 120)}, not an OCI index`,
          );
        }
        const bytes = await readBodyWithLimits(response, {
          maxBytes: maxManifestBytes,
          what,
          budget: options.budget,
        });
        return {
          manifests: readIndexManifests(bytes, what),
          next: nextLink(response.headers.get('link'), finalUrl),
        };
      },
    );
    if (result === 'unsupported') return referrersFromTag(session, getManifest, repo, subjectDigest, options);
    descriptors.push(...result.manifests);
    assertReferrerCount(session, descriptors.length, what);
    if (result.next && result.next.origin !== target.origin) {
      throw new GuardError(
        ReasonCode.REGISTRY_UNAVAILABLE,
        `${what}: the next-page link points to ${untrustedText(result.next.origin, 200)}, outside the registry ${target.origin}`,
      );
    }
    next = result.next;
  }
  return { source: 'api', descriptors: filterByArtifactType(descriptors, options.artifactType) };
}

async function referrersFromTag(
  session: RegistrySession,
  getManifest: GetManifest,
  repo: RepositoryRef,
  subjectDigest: string,
  options: ReferrersOptions,
): Promise<ReferrersResult> {
  const tag = referrersTagFor(subjectDigest);
  const manifest = await getManifest(repo, tag, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  if (!manifest) return { source: 'none', descriptors: [] };
  const what = `referrers tag ${tag} of ${repo.registry}/${repo.repository}`;
  if (manifest.mediaType !== MediaType.OCI_INDEX) {
    throw new GuardError(
      ReasonCode.UNSUPPORTED_FORMAT,
      `${what} holds ${untrustedText(manifest.mediaType, 120)}, not an OCI image index`,
    );
  }
  const descriptors = readIndexManifests(manifest.bytes, what);
  assertReferrerCount(session, descriptors.length, what);
  return { source: 'tag', descriptors: filterByArtifactType(descriptors, options.artifactType) };
}

function assertReferrerCount(session: RegistrySession, count: number, what: string): void {
  if (count > session.options.maxReferrers) {
    throw new GuardError(
      ReasonCode.LIMIT_EXCEEDED,
      `${what}: more than ${session.options.maxReferrers} referrers`,
    );
  }
}

function filterByArtifactType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined
    ? descriptors
    : descriptors.filter((d) => d.artifactType === artifactType);
}
