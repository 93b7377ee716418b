import { createHash } from 'node:crypto';
import { headerValue, simpleRequest, type SimpleResponse } from './http';
import type { RegistryEndpoint } from './start-registry';

/** What was pushed: enough to build a descriptor. */
export interface Pushed {
  digest: string;
  size: number;
}

export interface PushedManifest extends Pushed {
  mediaType: string;
  /** The exact bytes pushed. */
  bytes: Buffer;
}

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const authorizations = new Map<string, string>();

/** Minimal challenge reading for the push client (independent of the client under test). */
function challengeParams(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ')[0]?.toLowerCase() ?? '';
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
  return { scheme, params };
}

async function authorize(endpoint: RegistryEndpoint, repo: string, challenge: string): Promise<string> {
  const { scheme, params } = challengeParams(challenge);
  const basic = endpoint.credentials
    ? `Basic ${Buffer.from(`${endpoint.credentials.username}:${endpoint.credentials.password}`).toString('base64')}`
    : undefined;
  if (scheme === 'basic') {
    if (!basic)
      throw new Error(`push to ${endpoint.host}: registry wants Basic auth, endpoint has no credentials`);
    return basic;
  }
  if (scheme !== 'bearer' || !params.realm)
    throw new Error(`push to ${endpoint.host}: cannot answer "${challenge}"`);
  const realm = new URL(params.realm);
  if (params.service) realm.searchParams.set('service', params.service);
  realm.searchParams.set('scope', `repository:${repo}:pull,push`);
  const res = await simpleRequest(realm, {
    ...(basic ? { headers: { authorization: basic } } : {}),
    ...(endpoint.caPem ? { ca: endpoint.caPem } : {}),
  });
  if (res.status !== 200) throw new Error(`push to ${endpoint.host}: token service answered ${res.status}`);
  const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
  return `Bearer ${json.token ?? json.access_token}`;
}

/** A request to the registry that answers a 401 once (Basic or Bearer with push scope). */
async function registryRequest(
  endpoint: RegistryEndpoint,
  repo: string,
  pathOrUrl: string,
  init: { method: string; headers?: Record<string, string>; body?: Buffer },
): Promise<SimpleResponse> {
  const key = `${endpoint.url}|${repo}`;
  const url = new URL(pathOrUrl, endpoint.url);
  for (let round = 1; ; round++) {
    const auth = authorizations.get(key);
    const res = await simpleRequest(url, {
      method: init.method,
      headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
      ...(init.body ? { body: init.body } : {}),
      ...(endpoint.caPem ? { ca: endpoint.caPem } : {}),
    });
    if (res.status !== 401 || round > 1) return res;
    authorizations.set(
      key,
      await authorize(endpoint, repo, headerValue(res.headers, 'www-authenticate') ?? ''),
    );
  }
}

function expectStatus(res: SimpleResponse, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(
      `${what}: expected HTTP ${status}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`,
    );
  }
}

/** Monolithic blob upload (POST, then PUT ?digest=). Returns the blob's digest and size. */
export async function pushBlob(
  endpoint: RegistryEndpoint,
  repo: string,
  bytes: Buffer | string,
): Promise<Pushed> {
  const body = Buffer.from(bytes);
  const digest = sha256Digest(body);
  const started = await registryRequest(endpoint, repo, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expectStatus(started, 202, `start upload to ${repo}`);
  const location = headerValue(started.headers, 'location');
  if (!location) throw new Error(`start upload to ${repo}: no Location header`);
  const upload = new URL(location, endpoint.url);
  upload.searchParams.set('digest', digest);
  const done = await registryRequest(endpoint, repo, upload.href, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  expectStatus(done, 201, `upload ${digest} to ${repo}`);
  return { digest, size: body.length };
}

/** PUT a manifest (by tag or digest) with its media type. Returns digest, size, type and bytes. */
export async function pushManifest(
  endpoint: RegistryEndpoint,
  repo: string,
  reference: string,
  bytes: Buffer | string,
  mediaType: string,
): Promise<PushedManifest> {
  const body = Buffer.from(bytes);
  const digest = sha256Digest(body);
  const res = await registryRequest(endpoint, repo, `/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body,
  });
  expectStatus(res, 201, `push manifest ${reference} to ${repo}`);
  const returned = headerValue(res.headers, 'docker-content-digest');
  if (returned && returned !== digest) throw new Error(`registry says ${returned}, pushed ${digest}`);
  return { digest, size: body.length, mediaType, bytes: body };
}

/** Pushes an artifact's blobs, then its manifest under `reference` (a tag or its digest). */
export async function pushArtifact(
  endpoint: RegistryEndpoint,
  repo: string,
  reference: string,
  artifact: { blobs: ReadonlyMap<string, Buffer>; manifest: Buffer | string; mediaType: string },
): Promise<PushedManifest> {
  for (const blob of artifact.blobs.values()) await pushBlob(endpoint, repo, blob);
  return pushManifest(endpoint, repo, reference, artifact.manifest, artifact.mediaType);
}
