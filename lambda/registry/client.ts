import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { isDigest } from '../reference/digest';
import { registryHostProblem, repositoryProblem, tagProblem } from '../reference/grammar';
import { RegistryAuthenticator } from './auth/authenticator';
import { assertDigest, digestOf, verifyContentDigest } from './content-digest';
import { readIndexManifests } from './descriptor';
import { registryOrigin } from './endpoint';
import { createFetcher, type Fetcher, type FetchResponse } from './fetch-function';
import { HttpTransport } from './http-transport';
import { cancelBody, readBodyWithLimits } from './limits';
import { nextLink } from './link-header';
import { baseMediaType, isManifestMediaType, MANIFEST_ACCEPT, MediaType } from './media-types';
import { resolveOptions, type RegistryClientOptions, type ResolvedOptions } from './options';
import { referrersTagFor } from './referrers-tag';
import { emptyStats, resetStats, type RegistryStats, type RequestKind } from './stats';
import { accessDenied, unexpectedStatus } from './status-errors';
import type {
  Descriptor,
  FetchedManifest,
  ReferrersResult,
  RegistryReader,
  RepositoryRef,
  RequestOptions,
} from './types';

/** A repository request target, validated (so nothing unexpected reaches a URL path). */
interface Target {
  registry: string;
  repository: string;
  origin: string;
  scope: string;
}

interface ReadRequest {
  url: URL;
  method: 'GET' | 'HEAD';
  accept: string;
  kind: RequestKind;
  what: string;
  signal: AbortSignal | undefined;
}

/** One page of the referrers API, or the signal to use the fallback tag. */
type ReferrersPage = 'unsupported' | { manifests: Descriptor[]; next: URL | undefined };

/** Statuses that mean "this registry has no referrers API" on the first referrers request. */
const REFERRERS_UNSUPPORTED = new Set([400, 404, 406]);

/**
 * The verifier's view of an OCI registry (distribution-spec v1.1), defensive by construction:
 * every manifest and blob is hashed and compared with the digest that named it, every read is
 * size-capped and time-limited, redirects and pages are bounded, credentials go only to the
 * registry (or its token realm). See RegistryClientOptions for the knobs and their defaults.
 */
export class RegistryClient implements RegistryReader {
  /** Live request counters (see RegistryStats). */
  readonly stats: RegistryStats = emptyStats();
  private readonly options: ResolvedOptions;
  private readonly insecure: ReadonlySet<string>;
  private readonly fetcher: Fetcher;
  private readonly transport: HttpTransport;
  private readonly auth: RegistryAuthenticator;

  constructor(options: RegistryClientOptions = {}) {
    this.options = resolveOptions(options);
    this.insecure = new Set(this.options.insecureRegistries.map((h) => h.toLowerCase()));
    this.fetcher = createFetcher(this.options.caPem, this.options.fetch);
    this.transport = new HttpTransport(
      this.fetcher.fetch,
      { ...this.options, insecure: this.insecure },
      this.stats,
    );
    this.auth = new RegistryAuthenticator(this.transport, this.options.credentials, {
      insecure: this.insecure,
      tokenExpiryMarginMs: this.options.tokenExpiryMarginMs,
      maxCachedTokens: this.options.maxCachedTokens,
      now: this.options.now,
    });
  }

  /** Manifest by tag or digest, hashed; `undefined` on 404. */
  async getManifest(
    repo: RepositoryRef,
    reference: string,
    options: RequestOptions = {},
  ): Promise<FetchedManifest | undefined> {
    const target = this.target(repo);
    const byDigest = isDigest(reference);
    if (!byDigest) assertTag(reference);
    const what = `manifest ${reference} of ${repo.registry}/${repo.repository}`;
    const request = this.readRequest(
      target,
      `manifests/${reference}`,
      MANIFEST_ACCEPT,
      'manifest',
      what,
      options,
    );
    return this.send(target, request, async (response) => {
      if (response.status === 404) {
        await cancelBody(response);
        return undefined;
      }
      if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
      const bytes = await readBodyWithLimits(response, { maxBytes: this.options.maxManifestBytes, what });
      if (byDigest) verifyContentDigest(bytes, reference, what);
      const digest = byDigest ? reference : digestOf(bytes);
      checkDeclaredDigest(response, bytes, what);
      return { digest, mediaType: manifestMediaType(response, bytes, what), bytes };
    });
  }

  /**
   * The digest a tag points to now, or `undefined` when the tag does not exist. By default the
   * manifest is fetched and hashed; `method: 'HEAD'` trusts the registry's Docker-Content-Digest
   * (one request, no body) and falls back to GET when the header is missing.
   */
  async resolveDigest(
    repo: RepositoryRef,
    tag: string,
    options: RequestOptions & { method?: 'GET' | 'HEAD' } = {},
  ): Promise<string | undefined> {
    if (options.method === 'HEAD') {
      const target = this.target(repo);
      assertTag(tag);
      const what = `digest of ${repo.registry}/${repo.repository}:${tag}`;
      const request = this.readRequest(
        target,
        `manifests/${tag}`,
        MANIFEST_ACCEPT,
        'manifest',
        what,
        options,
      );
      request.method = 'HEAD';
      const head = await this.send(target, request, async (response) => {
        await cancelBody(response);
        if (response.status === 404) return { missing: true as const };
        if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
        const header = response.headers.get('docker-content-digest')?.trim();
        return { missing: false as const, digest: header && isDigest(header) ? header : undefined };
      });
      if (head.missing) return undefined;
      if (head.digest !== undefined) return head.digest;
    }
    return (await this.getManifest(repo, tag, options))?.digest;
  }

  /** Blob bytes, checked against the descriptor's digest and size, capped at `maxBytes` (default 4 MiB). */
  async getBlob(
    repo: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    options: RequestOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    const target = this.target(repo);
    assertDigest(descriptor.digest, 'blob digest');
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
      throw new GuardError(
        ReasonCode.UNSUPPORTED_FORMAT,
        `blob ${descriptor.digest}: size ${descriptor.size} is invalid`,
      );
    }
    const maxBytes = options.maxBytes ?? this.options.maxBlobBytes;
    const what = `blob ${descriptor.digest} of ${repo.registry}/${repo.repository}`;
    if (descriptor.size > maxBytes) {
      throw new GuardError(
        ReasonCode.LIMIT_EXCEEDED,
        `${what} is ${descriptor.size} bytes, over the ${maxBytes}-byte limit`,
      );
    }
    const request = this.readRequest(target, `blobs/${descriptor.digest}`, '*/*', 'blob', what, options);
    return this.send(target, request, async (response) => {
      if (response.status === 404) {
        await cancelBody(response);
        throw new GuardError(ReasonCode.REGISTRY_UNAVAILABLE, `${what} does not exist (HTTP 404)`);
      }
      if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
      const bytes = await readBodyWithLimits(response, { maxBytes, expectedSize: descriptor.size, what });
      verifyContentDigest(bytes, descriptor.digest, what);
      return bytes;
    });
  }

  /**
   * Referrers of `subjectDigest`: the referrers API (paginated, bounded), else the
   * `sha256-<hex>` fallback tag index, else none. Filtered by `artifactType` on our side
   * whatever the registry did with the filter.
   */
  async listReferrers(
    repo: RepositoryRef,
    subjectDigest: string,
    options: RequestOptions & { artifactType?: string } = {},
  ): Promise<ReferrersResult> {
    const target = this.target(repo);
    assertDigest(subjectDigest, 'subject digest');
    const what = `referrers of ${subjectDigest} in ${repo.registry}/${repo.repository}`;
    const first = this.readRequest(
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
      if (page > this.options.maxReferrerPages) {
        throw new GuardError(
          ReasonCode.LIMIT_EXCEEDED,
          `${what}: more than ${this.options.maxReferrerPages} pages of referrers`,
        );
      }
      const result: ReferrersPage = await this.send(
        target,
        { ...first, url: next },
        async (response, finalUrl) => {
          const contentType = baseMediaType(response.headers.get('content-type'));
          const unsupported =
            REFERRERS_UNSUPPORTED.has(response.status) ||
            (response.status === 200 && contentType !== MediaType.OCI_INDEX);
          if (page === 1 && unsupported) {
            await cancelBody(response);
            return 'unsupported' as const;
          }
          if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
          if (contentType !== MediaType.OCI_INDEX) {
            await cancelBody(response);
            throw new GuardError(
              ReasonCode.UNSUPPORTED_FORMAT,
              `${what}: page ${page} is ${contentType}, not an OCI index`,
            );
          }
          const bytes = await readBodyWithLimits(response, { maxBytes: this.options.maxManifestBytes, what });
          return {
            manifests: readIndexManifests(bytes, what),
            next: nextLink(response.headers.get('link'), finalUrl),
          };
        },
      );
      if (result === 'unsupported') return this.referrersFromTag(repo, subjectDigest, options);
      descriptors.push(...result.manifests);
      this.assertReferrerCount(descriptors.length, what);
      if (result.next && result.next.origin !== target.origin) {
        throw new GuardError(
          ReasonCode.REGISTRY_UNAVAILABLE,
          `${what}: the next-page link points to ${result.next.origin}, outside the registry ${target.origin}`,
        );
      }
      next = result.next;
    }
    return { source: 'api', descriptors: filterByArtifactType(descriptors, options.artifactType) };
  }

  /** Zeroes `stats` (the same object stays live). */
  resetStats(): void {
    resetStats(this.stats);
  }

  /** Releases connection pools (only a custom-CA client holds one). */
  async close(): Promise<void> {
    await this.fetcher.close();
  }

  private async referrersFromTag(
    repo: RepositoryRef,
    subjectDigest: string,
    options: RequestOptions & { artifactType?: string },
  ): Promise<ReferrersResult> {
    const tag = referrersTagFor(subjectDigest);
    const manifest = await this.getManifest(repo, tag, options.signal ? { signal: options.signal } : {});
    if (!manifest) return { source: 'none', descriptors: [] };
    const what = `referrers tag ${tag} of ${repo.registry}/${repo.repository}`;
    if (manifest.mediaType !== MediaType.OCI_INDEX) {
      throw new GuardError(
        ReasonCode.UNSUPPORTED_FORMAT,
        `${what} holds ${manifest.mediaType}, not an OCI image index`,
      );
    }
    const descriptors = readIndexManifests(manifest.bytes, what);
    this.assertReferrerCount(descriptors.length, what);
    return { source: 'tag', descriptors: filterByArtifactType(descriptors, options.artifactType) };
  }

  private assertReferrerCount(count: number, what: string): void {
    if (count > this.options.maxReferrers) {
      throw new GuardError(
        ReasonCode.LIMIT_EXCEEDED,
        `${what}: more than ${this.options.maxReferrers} referrers`,
      );
    }
  }

  private target(repo: RepositoryRef): Target {
    const problem = registryHostProblem(repo.registry) ?? repositoryProblem(repo.repository);
    if (problem)
      throw new GuardError(ReasonCode.INVALID_REFERENCE, `${repo.registry}/${repo.repository}: ${problem}`);
    const registry = repo.registry.toLowerCase();
    return {
      registry,
      repository: repo.repository,
      origin: registryOrigin(registry, this.insecure),
      scope: `repository:${repo.repository}:pull`,
    };
  }

  private readRequest(
    target: Target,
    path: string,
    accept: string,
    kind: RequestKind,
    what: string,
    options: RequestOptions,
  ): ReadRequest {
    return {
      url: new URL(`${target.origin}/v2/${target.repository}/${path}`),
      method: 'GET',
      accept,
      kind,
      what,
      signal: options.signal,
    };
  }

  /**
   * Sends a read with the known Authorization (if any); on 401 answers the challenge once and
   * repeats. 403, or 401 again, is REGISTRY_AUTH. `handle` sees every other response.
   */
  private async send<T>(
    target: Target,
    request: ReadRequest,
    handle: (response: FetchResponse, finalUrl: URL) => Promise<T>,
  ): Promise<T> {
    let authorization = this.auth.cached(target.registry, target.scope);
    for (let round = 1; ; round++) {
      const headers: Record<string, string> = { accept: request.accept };
      if (authorization) headers.authorization = authorization;
      const outcome: { challenge: string | null } | { value: T } = await this.transport.send<
        { challenge: string | null } | { value: T }
      >(
        {
          url: request.url,
          method: request.method,
          headers,
          kind: request.kind,
          credentialOrigin: target.origin,
          followRedirects: true,
          signal: request.signal,
          what: request.what,
        },
        async (response, finalUrl) => {
          if ((response.status === 401 || response.status === 403) && finalUrl.origin !== target.origin) {
            // A redirect target (storage, CDN) is not the registry: its challenge is never answered,
            // or it could collect the registry's credentials through a realm of its choosing.
            await cancelBody(response);
            throw new GuardError(
              ReasonCode.REGISTRY_UNAVAILABLE,
              `${request.what}: the redirect target ${finalUrl.origin} answered HTTP ${response.status}`,
            );
          }
          if (response.status === 401 && round === 1) {
            const challenge = response.headers.get('www-authenticate');
            await cancelBody(response);
            return { challenge };
          }
          if (response.status === 401 || response.status === 403) {
            if (response.status === 401) this.auth.forget(target.registry, target.scope);
            throw await accessDenied(response, request.what, target.registry);
          }
          return { value: await handle(response, finalUrl) };
        },
      );
      if ('value' in outcome) return outcome.value;
      authorization = await this.auth.answer(
        target.registry,
        target.scope,
        outcome.challenge,
        authorization,
        request.signal,
      );
    }
  }
}

function assertTag(tag: string): void {
  const problem = tagProblem(tag);
  if (problem)
    throw new GuardError(
      ReasonCode.INVALID_REFERENCE,
      `"${tag.slice(0, 140)}" is neither a digest nor a tag: ${problem}`,
    );
}

/** A registry-declared Docker-Content-Digest must describe the bytes it came with. */
function checkDeclaredDigest(response: FetchResponse, bytes: Buffer, what: string): void {
  const declared = response.headers.get('docker-content-digest')?.trim();
  if (!declared || !isDigest(declared)) return;
  verifyContentDigest(bytes, declared, `${what} (Docker-Content-Digest)`);
}

/**
 * The manifest's media type: the Content-Type when it names a manifest type, else the
 * document's own `mediaType`. When both are present they must agree (the document's field
 * is covered by the digest; the header is not).
 */
function manifestMediaType(response: FetchResponse, bytes: Buffer, what: string): string {
  const declared = baseMediaType(response.headers.get('content-type'));
  let embedded: string | undefined;
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    if (typeof json.mediaType === 'string' && json.mediaType !== '') embedded = json.mediaType;
  } catch {
    // Not JSON: the verifier reports that when it parses; the media type comes from the header.
  }
  if (isManifestMediaType(declared)) {
    if (embedded !== undefined && embedded !== declared) {
      throw new GuardError(
        ReasonCode.CONTENT_MISMATCH,
        `${what}: Content-Type ${declared} disagrees with the manifest's mediaType ${embedded}`,
      );
    }
    return declared as string;
  }
  return embedded ?? declared ?? 'application/octet-stream';
}

function filterByArtifactType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined
    ? descriptors
    : descriptors.filter((d) => d.artifactType === artifactType);
}
