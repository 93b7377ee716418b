import type { CredentialProvider } from './types';
import type { FetchFunction } from './fetch-function';
import { USER_AGENT } from './user-agent';

const MiB = 1024 * 1024;

/** How the RegistryClient talks to registries. Every field is optional; defaults are listed. */
export interface RegistryClientOptions {
  /** Where credentials come from, per registry host. Default: none (anonymous, token flow anonymous). */
  credentials?: CredentialProvider;
  /**
   * Registries (`host[:port]`, exact match) reached over plain HTTP. Nothing else ever speaks
   * HTTP: not registries, not token realms, not redirect targets. Default: none.
   */
  insecureRegistries?: readonly string[];
  /** Extra trusted CA certificate(s), PEM. Added to the system roots, not replacing them. */
  caPem?: string;
  /** Time limit of one HTTP request (headers and body, redirects included). Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per request on 429, 5xx and network errors (1 = no retry). Default 3. */
  maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, min(max, base·2^(n-1))) ("full jitter"). Default 200 ms. */
  baseBackoffMs?: number;
  /** Upper bound of one backoff wait. Default 2 000 ms. */
  maxBackoffMs?: number;
  /** A `Retry-After` is honoured up to this many ms (longer values wait this long). Default 5 000 ms. */
  maxRetryAfterMs?: number;
  /** Redirects followed per request. Default 5. */
  maxRedirects?: number;
  /** Largest manifest read (the OCI distribution-spec recommends accepting at least 4 MiB). Default 4 MiB. */
  maxManifestBytes?: number;
  /** Default cap of `getBlob` when the caller passes no `maxBytes` (signature blobs). Default 4 MiB. */
  maxBlobBytes?: number;
  /** Referrers pages followed (Link rel="next"). More pages → LIMIT_EXCEEDED. Default 10. */
  maxReferrerPages?: number;
  /** Referrer descriptors accepted across all pages. More → LIMIT_EXCEEDED. Default 1000. */
  maxReferrers?: number;
  /** A bearer token is reused until `expires_in` minus this margin. Default 10 000 ms. */
  tokenExpiryMarginMs?: number;
  /** Bearer tokens kept (per registry and scope). Default 256. */
  maxCachedTokens?: number;
  /** `User-Agent` header. Default `ecs-image-guard/<package version>`. */
  userAgent?: string;
  /** Clock (ms since epoch) for token expiry. Default `Date.now`. */
  now?: () => number;
  /** Random source in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** The fetch implementation; by default the global fetch, or undici's fetch with an Agent when `caPem` is set. */
  fetch?: FetchFunction;
}

export type ResolvedOptions = Required<Omit<RegistryClientOptions, 'credentials' | 'caPem' | 'fetch'>> &
  Pick<RegistryClientOptions, 'credentials' | 'caPem' | 'fetch'>;

export const DEFAULT_OPTIONS = {
  insecureRegistries: [] as readonly string[],
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
  baseBackoffMs: 200,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 5_000,
  maxRedirects: 5,
  maxManifestBytes: 4 * MiB,
  maxBlobBytes: 4 * MiB,
  maxReferrerPages: 10,
  maxReferrers: 1000,
  tokenExpiryMarginMs: 10_000,
  maxCachedTokens: 256,
  userAgent: USER_AGENT,
  now: Date.now,
  random: Math.random,
} satisfies Omit<ResolvedOptions, 'credentials' | 'caPem' | 'fetch'>;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`RegistryClient option ${name} must be > 0, got ${value}`);
  return value;
}

export function resolveOptions(options: RegistryClientOptions): ResolvedOptions {
  const resolved: ResolvedOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };
  for (const name of [
    'requestTimeoutMs',
    'maxAttempts',
    'maxManifestBytes',
    'maxBlobBytes',
    'maxReferrerPages',
    'maxReferrers',
    'maxCachedTokens',
  ] as const) {
    positive(name, resolved[name]);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
