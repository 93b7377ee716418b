import type http from 'node:http';
import { forwardRequest, sendUpstream } from './forward';
import { headerValue } from './http';
import type { DescriptorJson } from './images';
import { readRequestBody, record, startLoopbackServer, type RecordedRequest } from './loopback-server';
import type { TestPki } from './pki';
import { sha256Digest } from './push';
import type { RegistryEndpoint } from './start-registry';

export interface ReferrersFrontOptions {
  /** Descriptors per page; more pages are linked with `Link: <…>; rel="next"`. Default 100. */
  pageSize?: number;
  /** Apply `?artifactType=` and say so with `OCI-Filters-Applied`. Default true. */
  applyArtifactTypeFilter?: boolean;
  /** Origin put in next-page links (default: none, i.e. a relative link) — to test cross-origin links. */
  nextLinkOrigin?: string;
  /** Serve https with this PKI (default plain HTTP). */
  pki?: TestPki;
}

/** A registry front that adds the OCI 1.1 referrers API. */
export interface ReferrersFront extends RegistryEndpoint {
  /** Every request the front received. */
  requests: RecordedRequest[];
  /** The referrers recorded for `repo` and `subjectDigest`, in push order. */
  referrersOf(repo: string, subjectDigest: string): DescriptorJson[];
  stop(): Promise<void>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The referrers-API descriptor of a pushed manifest (image-spec: artifactType, else config media type). */
function referrerDescriptor(
  body: Buffer,
  contentType: string | undefined,
): { subject: string; d: DescriptorJson } | undefined {
  let manifest: {
    mediaType?: string;
    artifactType?: string;
    config?: { mediaType?: string };
    subject?: { digest?: string };
    annotations?: Record<string, string>;
  };
  try {
    manifest = JSON.parse(body.toString('utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  const subject = manifest.subject?.digest;
  if (!subject) return undefined;
  const d: DescriptorJson = {
    mediaType: manifest.mediaType ?? contentType ?? 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256Digest(body),
    size: body.length,
  };
  const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
  if (artifactType) d.artifactType = artifactType;
  if (manifest.annotations) d.annotations = manifest.annotations;
  return { subject, d };
}

/**
 * distribution 2.8.2 has no referrers API (GET /v2/<repo>/referrers/<digest> is a plain 404).
 * This loopback front proxies everything to the registry and additionally serves that API
 * from the manifests with a `subject` pushed *through it* (answering their PUT with
 * `OCI-Subject`, as a referrers-capable registry does). Access to the listing is checked by
 * asking the registry for the subject manifest with the client's own Authorization.
 */
export async function startReferrersFront(
  target: RegistryEndpoint,
  options: ReferrersFrontOptions = {},
): Promise<ReferrersFront> {
  const pageSize = options.pageSize ?? 100;
  const filterApplied = options.applyArtifactTypeFilter ?? true;
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, DescriptorJson[]>();
  const key = (repo: string, digest: string): string => `${repo}@${digest}`;

  const serveReferrers = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    repo: string,
    subject: string,
    url: URL,
  ): Promise<void> => {
    const check = await forwardRequest(target, req, Buffer.alloc(0), `/v2/${repo}/manifests/${subject}`);
    if (check.status === 401 || check.status === 403) {
      const challenge = headerValue(check.headers, 'www-authenticate');
      res.writeHead(check.status, {
        'content-type': 'application/json',
        ...(challenge ? { 'www-authenticate': challenge } : {}),
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const artifactType = url.searchParams.get('artifactType');
    let list = stored.get(key(repo, subject)) ?? [];
    if (filterApplied && artifactType) list = list.filter((d) => d.artifactType === artifactType);
    const page = Number(url.searchParams.get('page') ?? '0');
    const slice = list.slice(page * pageSize, (page + 1) * pageSize);
    const headers: Record<string, string> = { 'content-type': OCI_INDEX };
    if (filterApplied && artifactType) headers['oci-filters-applied'] = 'artifactType';
    if ((page + 1) * pageSize < list.length) {
      const next = new URLSearchParams({ page: String(page + 1) });
      if (artifactType) next.set('artifactType', artifactType);
      headers.link = `<${options.nextLinkOrigin ?? ''}/v2/${repo}/referrers/${subject}?${next.toString()}>; rel="next"`;
    }
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: slice }));
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requests.push(record(req));
    const url = new URL(req.url ?? '/', 'http://front');
    const referrers = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(url.pathname);
    if (referrers && (req.method === 'GET' || req.method === 'HEAD')) {
      return serveReferrers(req, res, referrers[1] ?? '', referrers[2] ?? '', url);
    }
    const body = await readRequestBody(req);
    const upstream = await forwardRequest(target, req, body);
    const manifestPut = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PUT' && manifestPut && upstream.status === 201) {
      const found = referrerDescriptor(body, headerValue(req.headers, 'content-type'));
      if (found) {
        const list = stored.get(key(manifestPut[1] ?? '', found.subject)) ?? [];
        if (!list.some((d) => d.digest === found.d.digest)) list.push(found.d);
        stored.set(key(manifestPut[1] ?? '', found.subject), list);
        return sendUpstream(req, res, upstream, { headers: { 'oci-subject': found.subject } });
      }
    }
    sendUpstream(req, res, upstream);
  };

  const server = await startLoopbackServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`referrers front: ${e instanceof Error ? e.message : String(e)}`);
    });
  }, options.pki);

  const front: ReferrersFront = {
    host: server.host,
    url: server.url,
    requests,
    referrersOf: (repo, digest) => [...(stored.get(key(repo, digest)) ?? [])],
    stop: () => server.stop(),
  };
  if (options.pki) front.caPem = options.pki.caPem;
  if (target.credentials) front.credentials = { ...target.credentials };
  return front;
}
