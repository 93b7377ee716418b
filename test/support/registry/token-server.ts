import { execFile } from 'node:child_process';
import { randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRequestBody, startLoopbackServer, type LoopbackServer } from './loopback-server';
import type { TestPki } from './pki';

const run = promisify(execFile);

/** The key that signs registry tokens, and its self-signed certificate (distribution's `rootcertbundle`). */
export interface TokenSigner {
  keyPem: string;
  certPem: string;
  certFile: string;
}

/** Creates an EC P-256 signing key and certificate in `dir` with openssl. */
export async function createTokenSigner(dir: string): Promise<TokenSigner> {
  const keyFile = path.join(dir, 'token-signer.key');
  const certFile = path.join(dir, 'token-signer.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=ecs-image-guard test token signer',
  ]);
  return { keyPem: await readFile(keyFile, 'utf8'), certPem: await readFile(certFile, 'utf8'), certFile };
}

/** One token request as the token server saw it. */
export interface TokenRequestRecord {
  method: string;
  service: string | undefined;
  /** Every scope asked for (`repository:team/app:pull`). */
  scopes: string[];
  /** `account` query parameter (Docker sends the user name). */
  account: string | undefined;
  /** The request carried `Authorization: Basic …`. */
  basicAuth: boolean;
  /** POST form grant (`refresh_token`, `password`). */
  grantType: string | undefined;
  /** The answer: 200 with a token, or 401. */
  status: number;
}

export interface TokenServerOptions {
  service: string;
  issuer: string;
  signer: TokenSigner;
  /** When set, GET requests must carry these Basic credentials (else 401). */
  credentials?: { username: string; password: string };
  /** When set, POST grant_type=refresh_token with this refresh_token is accepted. */
  identityToken?: string;
  /** `expires_in` of issued tokens. Default 300. */
  expiresInSeconds?: number;
  /** Serve https with this PKI (else http). */
  pki?: TestPki;
}

/** A loopback token service (distribution "Token Authentication Specification"). */
export interface TokenServer extends LoopbackServer {
  /** The realm URL (`…/token`). */
  realm: string;
  /** Every request received, in order. */
  requests: TokenRequestRecord[];
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Parses `repository:name:pull,push` into distribution's access claim entry. */
function accessFor(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(','),
  };
}

/**
 * A JWT distribution 2.8.2 accepts: ES256, the signing certificate in `x5c` (verified against
 * `rootcertbundle`), `aud` = service, `iss` = issuer, and an `access` claim granting what was asked.
 */
function issueToken(
  options: TokenServerOptions,
  subject: string,
  scopes: string[],
  expiresIn: number,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = {
    typ: 'JWT',
    alg: 'ES256',
    x5c: [new X509Certificate(options.signer.certPem).raw.toString('base64')],
  };
  const claims = {
    iss: options.issuer,
    sub: subject,
    aud: options.service,
    exp: now + expiresIn,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access: scopes.map(accessFor).filter((a) => a !== undefined),
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: options.signer.keyPem,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

function basicCredentials(req: http.IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Starts a token service on 127.0.0.1 that issues registry tokens for `options.service`. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const requests: TokenRequestRecord[] = [];
  const expiresIn = options.expiresInSeconds ?? 300;

  const server = await startLoopbackServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const form =
      req.method === 'POST' ? new URLSearchParams((await readRequestBody(req)).toString('utf8')) : undefined;
    const params = form ?? url.searchParams;
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''));
    const basic = basicCredentials(req);
    const entry: TokenRequestRecord = {
      method: req.method ?? 'GET',
      service: params.get('service') ?? undefined,
      scopes,
      account: url.searchParams.get('account') ?? undefined,
      basicAuth: basic !== undefined,
      grantType: form?.get('grant_type') ?? undefined,
      status: 401,
    };
    requests.push(entry);

    let subject: string | undefined;
    if (form) {
      const grant = form.get('grant_type');
      if (
        grant === 'refresh_token' &&
        options.identityToken &&
        form.get('refresh_token') === options.identityToken
      ) {
        subject = 'identity-token-user';
      }
    } else if (!options.credentials) {
      subject = basic?.username ?? 'anonymous';
    } else if (
      basic?.username === options.credentials.username &&
      basic.password === options.credentials.password
    ) {
      subject = basic.username;
    }
    if (subject === undefined || url.pathname !== '/token') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    entry.status = 200;
    const token = issueToken(options, subject, scopes, expiresIn);
    const body = form
      ? { access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() }
      : { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }, options.pki);
  return { ...server, realm: `${server.url}/token`, requests };
}
