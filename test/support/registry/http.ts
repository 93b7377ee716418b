import http from 'node:http';
import https from 'node:https';

/** A response read in full. */
export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SimpleRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Trusted CA (PEM) for https URLs. */
  ca?: string;
  timeoutMs?: number;
}

/**
 * One HTTP(S) request with node:http, independent of the code under test, for the harness
 * itself (readiness probes, pushes, forwarding). No redirects are followed.
 */
export function simpleRequest(url: string | URL, request: SimpleRequest = {}): Promise<SimpleResponse> {
  const target = new URL(url);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  const options: https.RequestOptions = {
    method: request.method ?? 'GET',
    headers,
    agent: false,
    ...(target.protocol === 'https:' && request.ca ? { ca: request.ca } : {}),
  };
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.setTimeout(request.timeoutMs ?? 10_000, () =>
      req.destroy(new Error(`request to ${target.href} timed out`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** First value of a header that may repeat. */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
