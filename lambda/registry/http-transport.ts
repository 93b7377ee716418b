import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';
import type { VerificationBudget } from './budget';
import { assertFetchableUrl } from './endpoint';
import type { FetchFunction, FetchResponse } from './fetch-function';
import { cancelBody } from './limits';
import { describeNetworkFailure } from './network-errors';
import {
  callerAborted,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  sleep,
  type BackoffPolicy,
} from './retry';
import type { RegistryStats, RequestKind } from './stats';

export interface TransportRequest {
  url: URL;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Counted in `stats` under this kind. */
  kind: RequestKind;
  /** The only origin that ever receives the credential headers (Authorization, Cookie). */
  credentialOrigin: string;
  /** Follow 3xx (GET/HEAD). A POST never follows. */
  followRedirects: boolean;
  /** The caller's overall deadline. */
  signal?: AbortSignal;
  /** For messages: "manifest v1 of team/app". */
  what: string;
  /** Charged one request per attempt and redirect hop, before it is sent. */
  budget?: VerificationBudget;
}

export interface TransportSettings extends BackoffPolicy {
  requestTimeoutMs: number;
  maxAttempts: number;
  maxRedirects: number;
  userAgent: string;
  insecure: ReadonlySet<string>;
  now: () => number;
}

/** Handles the final (non-redirect, non-retryable) response while the request's timer still runs. */
export type Consume<T> = (response: FetchResponse, finalUrl: URL) => Promise<T>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * One HTTP exchange with a registry, made safe: https only (http for listed hosts), a time
 * limit covering headers and body, manual redirects (bounded, re-checked, credentials dropped
 * for good once a hop leaves the credential origin), and bounded retries with backoff on 429,
 * 5xx and network errors. Everything else is the caller's to interpret in `consume`.
 */
export class HttpTransport {
  constructor(
    private readonly fetchFn: FetchFunction,
    private readonly settings: TransportSettings,
    readonly stats: RegistryStats,
  ) {}

  async send<T>(request: TransportRequest, consume: Consume<T>): Promise<T> {
    assertFetchableUrl(request.url, this.settings.insecure, request.what + ' at');
    for (let attempt = 1; ; attempt++) {
      if (request.signal?.aborted) throw callerAborted();
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), this.settings.requestTimeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
      let retryAfterMs: number | undefined;
      let failure: string;
      try {
        const { response, url } = await this.fetchFollowingRedirects(request, signal);
        if (!isRetryableStatus(response.status)) return await consume(response, url);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.settings.now());
        await cancelBody(response);
        failure = `HTTP ${response.status}`;
      } catch (e) {
        if (request.signal?.aborted) throw callerAborted();
        if (timeout.signal.aborted) {
          throw new GuardError(
            ReasonCode.TIMEOUT,
            `${request.what}: ${request.url.host} did not answer completely within ${this.settings.requestTimeoutMs} ms`,
            { retryable: true },
          );
        }
        if (e instanceof GuardError) throw e;
        const network = describeNetworkFailure(e);
        if (network.tls) {
          throw new GuardError(
            ReasonCode.REGISTRY_UNAVAILABLE,
            `${request.what}: TLS connection to ${request.url.host} failed (${network.code}: ${untrustedText(network.detail, 200)}); ` +
              'if the registry uses a private CA, pass its certificate',
            { cause: e },
          );
        }
        failure = `network error${network.code ? ` ${network.code}` : ''}: ${untrustedText(network.detail, 200)}`;
      } finally {
        clearTimeout(timer);
      }
      if (attempt >= this.settings.maxAttempts) {
        throw new GuardError(
          ReasonCode.REGISTRY_UNAVAILABLE,
          `${request.what}: ${request.url.host} failed ${attempt} time(s), last with ${failure}`,
          { retryable: true },
        );
      }
      this.stats.retries++;
      await sleep(retryDelayMs(attempt, retryAfterMs, this.settings), request.signal);
    }
  }

  private async fetchFollowingRedirects(
    request: TransportRequest,
    signal: AbortSignal,
  ): Promise<{ response: FetchResponse; url: URL }> {
    let url = request.url;
    let credentialsAllowed = true;
    for (let hop = 0; ; hop++) {
      if (url.origin !== request.credentialOrigin) credentialsAllowed = false;
      const headers: Record<string, string> = {
        ...lowerCaseKeys(request.headers),
        'user-agent': this.settings.userAgent,
        'accept-encoding': 'identity',
      };
      if (!credentialsAllowed) for (const name of CREDENTIAL_HEADERS) delete headers[name];
      request.budget?.spendRequest(request.what);
      this.count(request.kind);
      const init = { method: request.method, headers, redirect: 'manual' as const, signal };
      const response = await this.fetchFn(
        url.href,
        request.body === undefined ? init : { ...init, body: request.body },
      );
      if (!REDIRECT_STATUSES.has(response.status)) return { response, url };

      await cancelBody(response);
      const location = response.headers.get('location');
      if (!request.followRedirects || request.method === 'POST') {
        throw this.redirectError(
          request,
          `unexpected redirect (${response.status}) to ${location === null ? 'nowhere' : untrustedText(location, 200)}`,
        );
      }
      if (hop >= this.settings.maxRedirects) {
        throw this.redirectError(
          request,
          `more than ${this.settings.maxRedirects} redirects (the last to ${untrustedText(String(location), 200)})`,
        );
      }
      if (!location)
        throw this.redirectError(request, `redirect (${response.status}) without a Location header`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw this.redirectError(request, `redirect to an invalid URL "${untrustedText(location, 100)}"`);
      }
      assertFetchableUrl(next, this.settings.insecure, `${request.what}: redirect to`);
      this.stats.redirects++;
      url = next;
    }
  }

  private count(kind: RequestKind): void {
    this.stats.total++;
    this.stats[kind]++;
  }

  private redirectError(request: TransportRequest, problem: string): GuardError {
    return new GuardError(
      ReasonCode.REGISTRY_UNAVAILABLE,
      `${request.what}: ${request.url.host} sent ${problem}`,
    );
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
