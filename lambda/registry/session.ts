import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { registryHostProblem, repositoryProblem } from '../reference/grammar';
import type { RegistryAuthenticator } from './auth/authenticator';
import type { VerificationBudget } from './budget';
import { registryOrigin } from './endpoint';
import type { FetchResponse } from './fetch-function';
import type { HttpTransport } from './http-transport';
import { cancelBody } from './limits';
import type { ResolvedOptions } from './options';
import type { RequestKind } from './stats';
import { accessDenied } from './status-errors';
import type { RepositoryRef, RequestOptions } from './types';

/** A repository request target, validated (so nothing unexpected reaches a URL path). */
export interface Target {
  registry: string;
  repository: string;
  /** `https://host[:port]` (http for insecure registries): the only origin that gets credentials. */
  origin: string;
  /** `repository:<name>:pull` */
  scope: string;
}

export interface ReadRequest {
  url: URL;
  method: 'GET' | 'HEAD';
  accept: string;
  kind: RequestKind;
  /** For messages: "manifest v1 of host/team/app". */
  what: string;
  signal: AbortSignal | undefined;
  budget: VerificationBudget | undefined;
}

/**
 * Authenticated reads of one registry API path: validates the repository, builds the URL,
 * sends with the known Authorization, answers one 401 challenge, maps 403 (or 401 after
 * authenticating) to REGISTRY_AUTH. Shared by manifests, blobs and referrers.
 */
export class RegistrySession {
  constructor(
    readonly options: ResolvedOptions,
    private readonly insecure: ReadonlySet<string>,
    private readonly transport: HttpTransport,
    private readonly auth: RegistryAuthenticator,
  ) {}

  target(repo: RepositoryRef): Target {
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

  /** A GET of `/v2/<repository>/<path>`. */
  readRequest(
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
      budget: options.budget,
    };
  }

  /** Sends `request`; `handle` sees every response that is not an authentication matter. */
  async send<T>(
    target: Target,
    request: ReadRequest,
    handle: (response: FetchResponse, finalUrl: URL) => Promise<T>,
  ): Promise<T> {
    type Outcome = { challenge: string | null } | { value: T };
    let authorization = this.auth.cached(target.registry, target.scope);
    for (let round = 1; ; round++) {
      const headers: Record<string, string> = { accept: request.accept };
      if (authorization) headers.authorization = authorization;
      const outcome = await this.transport.send<Outcome>(
        {
          url: request.url,
          method: request.method,
          headers,
          kind: request.kind,
          credentialOrigin: target.origin,
          followRedirects: true,
          signal: request.signal,
          what: request.what,
          ...(request.budget ? { budget: request.budget } : {}),
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
        request.budget,
      );
    }
  }
}
