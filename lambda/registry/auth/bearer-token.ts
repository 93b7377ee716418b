import { GuardError } from '../../errors';
import { ReasonCode } from '../../reasons';
import { untrustedText } from '../../text/untrusted-text';
import { isInsecureHost } from '../endpoint';
import type { HttpTransport } from '../http-transport';
import { readBodyWithLimits } from '../limits';
import type { RegistryCredentials } from '../types';
import { basicAuthorization, describeCredentials } from './basic-auth';

/** Token responses are small JSON documents; anything bigger is refused. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** Token spec: "If omitted, the client should assume 60 seconds". */
const DEFAULT_EXPIRES_IN_SECONDS = 60;
const CLIENT_ID = 'ecs-image-guard';

export interface TokenRequest {
  registry: string;
  realm: string;
  service: string | undefined;
  scope: string;
  credentials: RegistryCredentials | undefined;
  insecure: ReadonlySet<string>;
  signal: AbortSignal | undefined;
}

export interface BearerToken {
  token: string;
  expiresInMs: number;
}

function authError(request: TokenRequest, problem: string, cause?: unknown): GuardError {
  return new GuardError(ReasonCode.REGISTRY_AUTH, `registry ${request.registry}: ${problem}`, { cause });
}

function realmUrl(request: TokenRequest): URL {
  let url: URL;
  try {
    url = new URL(request.realm);
  } catch (e) {
    throw authError(request, `the token realm "${untrustedText(request.realm, 100)}" is not a URL`, e);
  }
  const allowed =
    url.protocol === 'https:' || (url.protocol === 'http:' && isInsecureHost(url.host, request.insecure));
  if (!allowed) throw authError(request, `refusing token realm ${url.origin}: it must use https`);
  return url;
}

/**
 * Distribution token flow ("Token Authentication Specification"): GET the realm with
 * service and scope — anonymously, or with Basic credentials — or, with an identity token,
 * POST an OAuth2 refresh_token grant ("OAuth2 Token Authentication"). Reads `token` or
 * `access_token` and `expires_in`.
 */
export async function fetchBearerToken(
  transport: HttpTransport,
  request: TokenRequest,
): Promise<BearerToken> {
  const url = realmUrl(request);
  const credentials = request.credentials;
  const headers: Record<string, string> = { accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (credentials?.kind === 'identity-token') {
    method = 'POST';
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.token,
      client_id: CLIENT_ID,
    });
    if (request.service !== undefined) form.set('service', request.service);
    form.set('scope', request.scope);
    body = form.toString();
  } else {
    if (request.service !== undefined) url.searchParams.set('service', request.service);
    url.searchParams.set('scope', request.scope);
    if (credentials?.kind === 'basic') {
      url.searchParams.set('account', credentials.username);
      headers.authorization = basicAuthorization(credentials.username, credentials.password);
    }
  }

  const what = `token for ${request.scope}`;
  const json = await transport.send(
    {
      url,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      kind: 'token',
      credentialOrigin: url.origin,
      followRedirects: true,
      signal: request.signal,
      what,
    },
    async (response) => {
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw authError(
          request,
          `the token service at ${url.origin} refused a token ${describeCredentials(credentials)} for ${request.scope} (HTTP ${response.status})`,
        );
      }
      const bytes = await readBodyWithLimits(response, {
        maxBytes: MAX_TOKEN_RESPONSE_BYTES,
        what: `${what} response`,
      });
      try {
        return JSON.parse(bytes.toString('utf8')) as unknown;
      } catch (e) {
        throw authError(request, `the token service at ${url.origin} sent a response that is not JSON`, e);
      }
    },
  );
  return readTokenResponse(request, json);
}

function readTokenResponse(request: TokenRequest, json: unknown): BearerToken {
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const token = [record.token, record.access_token].find(
    (t): t is string => typeof t === 'string' && t !== '',
  );
  if (token === undefined)
    throw authError(request, 'the token response has neither "token" nor "access_token"');
  if (/[\r\n]/.test(token)) throw authError(request, 'the token response holds a token with line breaks');
  const expiresIn =
    typeof record.expires_in === 'number' && Number.isFinite(record.expires_in) && record.expires_in > 0
      ? record.expires_in
      : DEFAULT_EXPIRES_IN_SECONDS;
  return { token, expiresInMs: expiresIn * 1000 };
}
