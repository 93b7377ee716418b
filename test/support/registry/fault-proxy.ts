import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { forwardRequest, passableHeaders, sendUpstream } from './forward';
import type { SimpleResponse } from './http';
import { readRequestBody, record, startLoopbackServer, type RecordedRequest } from './loopback-server';
import type { TestPki } from './pki';
import type { RegistryEndpoint } from './start-registry';

/** What the proxy does to one request instead of (or on top of) forwarding it. */
export type Fault =
  /** Answer with this status (and headers/body) without contacting the registry. */
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Wait before forwarding (slow response headers). */
  | { type: 'delay-headers'; ms: number }
  /** Forward, then send the body `chunkBytes` at a time every `intervalMs` (slow body). */
  | { type: 'trickle-body'; chunkBytes: number; intervalMs: number }
  /** Forward, then append `extraBytes` of junk; with `declareLength: false` sent chunked without Content-Length. */
  | { type: 'oversize-body'; extraBytes: number; declareLength?: boolean }
  /** Forward, then flip the last byte of the body (same length, wrong digest). */
  | { type: 'tamper-body' }
  /** Forward, then send `body` instead (Content-Length adjusted), optionally changing headers too. */
  | { type: 'replace-body'; body: Buffer | string; headers?: Record<string, string | null> }
  /** Forward, then override response headers (e.g. Docker-Content-Digest, Content-Type); `null` removes one. */
  | { type: 'set-headers'; headers: Record<string, string | null> }
  /**
   * Redirect. `other-origin`: the registry's 200 response is parked on the second loopback
   * server (another port = another origin, like S3 for ECR) and the client is sent there.
   * `self`: redirect to the same URL (a loop). A URL string: redirect there.
   */
  | { type: 'redirect'; to: 'other-origin' | 'self' | string; status?: number }
  /** Destroy the connection without answering (network error). */
  | { type: 'reset' };

export interface FaultRule {
  /** Which requests: method (GET, HEAD…) and a path substring or pattern. Default: all. */
  match?: { method?: string; path?: string | RegExp };
  /** How many matching requests get the fault. Default: all of them. */
  times?: number;
  fault: Fault;
}

/** The second origin a redirect can send clients to; it records what it receives. */
export interface RecordingServer {
  host: string;
  url: string;
  /** Every request received, with its headers (to check that no credentials arrived). */
  requests: RecordedRequest[];
}

export interface FaultProxy extends RegistryEndpoint {
  /** Every request the proxy received, in order. */
  requests: RecordedRequest[];
  /** The redirect target for `{ type: 'redirect', to: 'other-origin' }`. */
  otherOrigin: RecordingServer;
  /** Replaces the fault plan (rules are tried in order; the first matching one with budget applies). */
  setPlan(rules: FaultRule[]): void;
  /** How many times each rule of the current plan has applied. */
  applied(): number[];
  stop(): Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  applied: number;
}

function matches(rule: FaultRule, req: http.IncomingMessage): boolean {
  const path = new URL(req.url ?? '/', 'http://proxy').pathname;
  const m = rule.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path);
}

/** Unref'd: a fault still waiting when the suite ends (the client gave up long ago) never holds the worker. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function trickle(
  res: http.ServerResponse,
  upstream: SimpleResponse,
  chunkBytes: number,
  intervalMs: number,
) {
  res.writeHead(upstream.status, {
    ...passableHeaders(upstream),
    'content-length': String(upstream.body.length),
  });
  for (let i = 0; i < upstream.body.length && !res.destroyed; i += chunkBytes) {
    res.write(upstream.body.subarray(i, i + chunkBytes));
    await sleep(intervalMs);
  }
  res.end();
}

/**
 * A loopback HTTP(S) server in front of a registry that forwards every request and can inject
 * faults per request (see Fault). Requests are recorded; a second loopback server on another
 * port plays the "other origin" for redirect tests. Plain HTTP unless `options.pki` is given
 * (then both servers are https with that PKI).
 */
export async function startFaultProxy(
  target: RegistryEndpoint,
  plan: FaultRule[] = [],
  options: { pki?: TestPki } = {},
): Promise<FaultProxy> {
  const requests: RecordedRequest[] = [];
  const otherRequests: RecordedRequest[] = [];
  const parked = new Map<string, SimpleResponse>();
  let rules: ActiveRule[] = [];
  const setPlan = (next: FaultRule[]): void => {
    rules = next.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY, applied: 0 }));
  };
  setPlan(plan);

  const other = await startLoopbackServer((req, res) => {
    otherRequests.push(record(req));
    const id = new URL(req.url ?? '/', 'http://other').pathname.split('/').pop() ?? '';
    const stored = parked.get(id);
    if (!stored) {
      res.writeHead(404).end();
      return;
    }
    const contentType = stored.headers['content-type'];
    res.writeHead(200, {
      ...(contentType ? { 'content-type': contentType } : {}),
      'content-length': String(stored.body.length),
    });
    res.end(stored.body);
  }, options.pki);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requests.push(record(req));
    const body = await readRequestBody(req);
    const active = rules.find((r) => r.remaining > 0 && matches(r.rule, req));
    const fault = active?.rule.fault;
    const apply = (): void => {
      if (active) {
        active.remaining--;
        active.applied++;
      }
    };

    if (fault?.type === 'status') {
      apply();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }
    if (fault?.type === 'reset') {
      apply();
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'redirect' && fault.to !== 'other-origin') {
      apply();
      res.writeHead(fault.status ?? 302, { location: fault.to === 'self' ? (req.url ?? '/') : fault.to });
      res.end();
      return;
    }
    if (fault?.type === 'delay-headers') {
      apply();
      await sleep(fault.ms);
      if (res.destroyed) return;
    }

    const upstream = await forwardRequest(target, req, body);
    if (!fault || fault.type === 'delay-headers') return sendUpstream(req, res, upstream);
    if (upstream.status !== 200) return sendUpstream(req, res, upstream); // faults apply to successful reads only
    apply();
    switch (fault.type) {
      case 'redirect': {
        const id = randomUUID();
        parked.set(id, upstream);
        res.writeHead(fault.status ?? 307, { location: `${other.url}/bucket/${id}?X-Amz-Signature=test` });
        res.end();
        return;
      }
      case 'trickle-body':
        return trickle(res, upstream, fault.chunkBytes, fault.intervalMs);
      case 'oversize-body': {
        const bigger = Buffer.concat([upstream.body, Buffer.alloc(fault.extraBytes, 0x20)]);
        return sendUpstream(req, res, upstream, { body: bigger, omitLength: fault.declareLength === false });
      }
      case 'tamper-body': {
        const tampered = Buffer.from(upstream.body);
        if (tampered.length > 0) tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
        return sendUpstream(req, res, upstream, { body: tampered });
      }
      case 'replace-body':
        return sendUpstream(req, res, upstream, {
          body: Buffer.from(fault.body),
          ...(fault.headers ? { headers: fault.headers } : {}),
        });
      case 'set-headers':
        return sendUpstream(req, res, upstream, { headers: fault.headers });
    }
  };

  const proxy = await startLoopbackServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${e instanceof Error ? e.message : String(e)}`);
    });
  }, options.pki);

  const endpoint: FaultProxy = {
    host: proxy.host,
    url: proxy.url,
    requests,
    otherOrigin: { host: other.host, url: other.url, requests: otherRequests },
    setPlan,
    applied: () => rules.map((r) => r.applied),
    stop: async () => {
      await proxy.stop();
      await other.stop();
    },
  };
  if (options.pki) endpoint.caPem = options.pki.caPem;
  if (target.credentials) endpoint.credentials = { ...target.credentials };
  return endpoint;
}
