import { LruCache } from '../../cache/lru-cache';
import { GuardError } from '../../errors';
import { ReasonCode } from '../../reasons';
import { untrustedText } from '../../text/untrusted-text';
import type { VerificationBudget } from '../budget';
import type { HttpTransport } from '../http-transport';
import type { CredentialProvider, RegistryCredentials } from '../types';
import { basicAuthorization, describeCredentials } from './basic-auth';
import { fetchBearerToken } from './bearer-token';
import { TokenCache } from './token-cache';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate';

export interface AuthenticatorSettings {
  insecure: ReadonlySet<string>;
  tokenExpiryMarginMs: number;
  maxCachedTokens: number;
  now: () => number;
}

interface BearerEndpoint {
  realm: string;
  service: string | undefined;
}

/** Registries whose Basic header or token endpoint is remembered (the least recently used go first). */
export const MAX_REMEMBERED_REGISTRIES = 256;
/** A realm or service longer than this is not a token service's address: refused, never stored. */
const MAX_REALM_CHARS = 2048;
const MAX_SERVICE_CHARS = 512;

/**
 * Answers 401 challenges for the client and remembers the answer: a Basic header per registry
 * (ECR, htpasswd), a bearer token per (registry, realm, service, scope) until it expires.
 * Credentials come from the CredentialProvider for that registry only. Concurrent requests
 * that need the same token share one token request.
 */
export class RegistryAuthenticator {
  private readonly basicHeaders: LruCache<string>;
  private readonly bearerEndpoints: LruCache<BearerEndpoint>;
  private readonly tokens: TokenCache;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: CredentialProvider | undefined,
    private readonly settings: AuthenticatorSettings,
  ) {
    this.tokens = new TokenCache(settings.maxCachedTokens, settings.now);
    // Per-host state: a process that meets many registries keeps only the most recent ones.
    this.basicHeaders = new LruCache<string>(MAX_REMEMBERED_REGISTRIES, settings.now);
    this.bearerEndpoints = new LruCache<BearerEndpoint>(MAX_REMEMBERED_REGISTRIES, settings.now);
  }

  /** The Authorization header to send up front, when one is already known. */
  cached(registry: string, scope: string): string | undefined {
    const basic = this.basicHeaders.get(registry);
    if (basic) return basic;
    const endpoint = this.bearerEndpoints.get(registry);
    const token = endpoint && this.tokens.get(tokenKey(registry, endpoint, scope));
    return token ? `Bearer ${token}` : undefined;
  }

  /** Forgets what was cached for `registry` (the registry rejected it). */
  forget(registry: string, scope: string): void {
    this.basicHeaders.delete(registry);
    const endpoint = this.bearerEndpoints.get(registry);
    if (endpoint) this.tokens.delete(tokenKey(registry, endpoint, scope));
  }

  /**
   * The Authorization header that answers the registry's 401 `challengeHeader`.
   * `rejected` is the header the 401 came back for (so a stale token is not reused).
   */
  async answer(
    registry: string,
    scope: string,
    challengeHeader: string | null,
    rejected: string | undefined,
    signal: AbortSignal | undefined,
    budget?: VerificationBudget,
  ): Promise<string> {
    const challenges = parseWwwAuthenticate(challengeHeader);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.answerBearer(registry, scope, bearer, rejected, signal, budget);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic) return this.answerBasic(registry, rejected);
    const offered = untrustedText(challenges.map((c) => c.scheme).join(', '), 100);
    throw new GuardError(
      ReasonCode.REGISTRY_AUTH,
      `registry ${registry} answered 401 ` +
        (offered
          ? `asking for unsupported authentication (${offered})`
          : 'without a WWW-Authenticate challenge'),
    );
  }

  private async answerBasic(registry: string, rejected: string | undefined): Promise<string> {
    const credentials = await this.credentialsFor(registry);
    if (!credentials) {
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `registry ${registry} requires credentials (HTTP Basic) and none are configured for it`,
      );
    }
    if (credentials.kind !== 'basic') {
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `registry ${registry} asks for HTTP Basic, but only an identity token is configured for it`,
      );
    }
    const header = basicAuthorization(credentials.username, credentials.password);
    if (header === rejected) {
      this.basicHeaders.delete(registry);
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `registry ${registry} rejected the credentials ${describeCredentials(credentials)}`,
      );
    }
    this.basicHeaders.set(registry, header, Number.POSITIVE_INFINITY);
    return header;
  }

  private async answerBearer(
    registry: string,
    scope: string,
    challenge: AuthChallenge,
    rejected: string | undefined,
    signal: AbortSignal | undefined,
    budget: VerificationBudget | undefined,
  ): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) {
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `registry ${registry} sent a Bearer challenge without a realm`,
      );
    }
    const service = challenge.params.service;
    if (realm.length > MAX_REALM_CHARS || (service !== undefined && service.length > MAX_SERVICE_CHARS)) {
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `registry ${registry} sent a Bearer challenge with a realm or service longer than ` +
          `${MAX_REALM_CHARS} / ${MAX_SERVICE_CHARS} characters`,
      );
    }
    const endpoint: BearerEndpoint = { realm, service };
    this.basicHeaders.delete(registry);
    this.bearerEndpoints.set(registry, endpoint, Number.POSITIVE_INFINITY);
    const key = tokenKey(registry, endpoint, scope);
    const cached = this.tokens.get(key);
    if (cached && `Bearer ${cached}` !== rejected) return `Bearer ${cached}`; // refreshed meanwhile
    this.tokens.delete(key);

    let pending = this.inFlight.get(key);
    if (!pending) {
      // Charged here, in the caller's own context: a shared token request must not fail a
      // verification that joins it because another verification's budget ran out.
      budget?.spendRequest(`token for ${scope} at ${registry}`);
      pending = this.requestToken(registry, scope, endpoint, key, signal).finally(() =>
        this.inFlight.delete(key),
      );
      this.inFlight.set(key, pending);
    }
    return `Bearer ${await pending}`;
  }

  private async requestToken(
    registry: string,
    scope: string,
    endpoint: BearerEndpoint,
    key: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const credentials = await this.credentialsFor(registry);
    const { token, expiresInMs } = await fetchBearerToken(this.transport, {
      registry,
      realm: endpoint.realm,
      service: endpoint.service,
      scope,
      credentials,
      insecure: this.settings.insecure,
      signal,
    });
    this.tokens.set(key, token, expiresInMs, this.settings.tokenExpiryMarginMs);
    return token;
  }

  private async credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    if (!this.credentials) return undefined;
    try {
      return await this.credentials.getCredentials(registry);
    } catch (e) {
      if (e instanceof GuardError) throw e;
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `could not load credentials for ${registry}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
}

function tokenKey(registry: string, endpoint: BearerEndpoint, scope: string): string {
  return JSON.stringify([registry, endpoint.realm, endpoint.service ?? '', scope]);
}
