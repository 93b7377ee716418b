import type http from 'node:http';
import { simpleRequest, type SimpleResponse } from './http';
import type { RegistryEndpoint } from './start-registry';

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

/** Sends the request as received (method, path, headers, body) to `target`, read in full. */
export function forwardRequest(
  target: RegistryEndpoint,
  req: http.IncomingMessage,
  body: Buffer,
  path: string = req.url ?? '/',
): Promise<SimpleResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const method = req.method ?? 'GET';
  return simpleRequest(new URL(path, target.url), {
    method,
    headers,
    ...(body.length > 0 || method === 'PUT' || method === 'POST' || method === 'PATCH' ? { body } : {}),
    ...(target.caPem ? { ca: target.caPem } : {}),
  });
}

/** Response headers worth passing on (hop-by-hop ones dropped; Content-Length set by the sender). */
export function passableHeaders(upstream: SimpleResponse): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  return headers;
}

/** Writes an upstream response (or a modified one) back to the client. */
export function sendUpstream(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: SimpleResponse,
  override: { body?: Buffer; headers?: Record<string, string | null>; omitLength?: boolean } = {},
): void {
  const body = override.body ?? upstream.body;
  const headers: Record<string, string | string[]> = passableHeaders(upstream);
  for (const [name, value] of Object.entries(override.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  if (req.method === 'HEAD') {
    const length = upstream.headers['content-length'];
    if (length !== undefined) headers['content-length'] = length;
    res.writeHead(upstream.status, headers);
    res.end();
    return;
  }
  if (!override.omitLength) headers['content-length'] = String(body.length);
  res.writeHead(upstream.status, headers);
  res.end(body);
}
