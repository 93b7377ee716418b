import { RegistryAuthenticator } from './auth/authenticator';
import { fetchBlob } from './blobs';
import { createFetcher, type Fetcher } from './fetch-function';
import { HttpTransport } from './http-transport';
import { fetchManifest, headManifestDigest } from './manifests';
import { resolveOptions, type RegistryClientOptions } from './options';
import { listReferrers, type ReferrersOptions } from './referrers';
import { RegistrySession } from './session';
import { emptyStats, resetStats, type RegistryStats } from './stats';
import type {
  Descriptor,
  FetchedManifest,
  ReferrersResult,
  RegistryReader,
  RepositoryRef,
  RequestOptions,
} from './types';

/**
 * The verifier's view of an OCI registry (distribution-spec v1.1), defensive by construction:
 * every manifest and blob is hashed and compared with the digest that named it, every read is
 * size-capped and time-limited, redirects and pages are bounded, credentials go only to the
 * registry (or its token realm). See RegistryClientOptions for the knobs and their defaults.
 * One instance per process is meant to be reused: it caches tokens and Basic headers.
 */
export class RegistryClient implements RegistryReader {
  /** Live request counters (see RegistryStats). */
  readonly stats: RegistryStats = emptyStats();
  private readonly fetcher: Fetcher;
  private readonly session: RegistrySession;

  constructor(options: RegistryClientOptions = {}) {
    const resolved = resolveOptions(options);
    const insecure = new Set(resolved.insecureRegistries.map((h) => h.toLowerCase()));
    this.fetcher = createFetcher(resolved.caPem, resolved.fetch);
    const transport = new HttpTransport(this.fetcher.fetch, { ...resolved, insecure }, this.stats);
    const auth = new RegistryAuthenticator(transport, resolved.credentials, {
      insecure,
      tokenExpiryMarginMs: resolved.tokenExpiryMarginMs,
      maxCachedTokens: resolved.maxCachedTokens,
      now: resolved.now,
    });
    this.session = new RegistrySession(resolved, insecure, transport, auth);
  }

  /** Manifest by tag or digest, hashed and checked; `undefined` on 404. */
  getManifest(
    repo: RepositoryRef,
    reference: string,
    options: RequestOptions = {},
  ): Promise<FetchedManifest | undefined> {
    return fetchManifest(this.session, repo, reference, options);
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
      const head = await headManifestDigest(this.session, repo, tag, options);
      if (head.missing) return undefined;
      if (head.digest !== undefined) return head.digest;
    }
    return (await this.getManifest(repo, tag, options))?.digest;
  }

  /** Blob bytes, checked against the descriptor's digest and size, capped at `maxBytes` (default `maxBlobBytes`). */
  getBlob(
    repo: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    options: RequestOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    return fetchBlob(
      this.session,
      repo,
      descriptor,
      options.maxBytes ?? this.session.options.maxBlobBytes,
      options,
    );
  }

  /** Referrers: the API (paginated, bounded), else the `sha256-<hex>` fallback tag, else none. */
  listReferrers(
    repo: RepositoryRef,
    subjectDigest: string,
    options: ReferrersOptions = {},
  ): Promise<ReferrersResult> {
    return listReferrers(
      this.session,
      (r, ref, o) => this.getManifest(r, ref, o),
      repo,
      subjectDigest,
      options,
    );
  }

  /** Zeroes `stats` (the same object stays live). */
  resetStats(): void {
    resetStats(this.stats);
  }

  /** Releases connection pools (only a custom-CA client holds one). */
  async close(): Promise<void> {
    await this.fetcher.close();
  }
}
