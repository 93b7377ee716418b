import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './pki';

/** A server listening on 127.0.0.1 and a free port. */
export interface LoopbackServer {
  /** `127.0.0.1:<port>` */
  host: string;
  /** `http(s)://127.0.0.1:<port>` */
  url: string;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (https when `pki` is given). */
export async function startLoopbackServer(
  handler: http.RequestListener,
  pki?: Pick<TestPki, 'certPem' | 'keyPem'>,
): Promise<LoopbackServer> {
  const server = pki
    ? https.createServer({ cert: pki.certPem, key: pki.keyPem }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `${pki ? 'https' : 'http'}://${host}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads a request body in full. */
export function readRequestBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A request as a test server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export function record(req: http.IncomingMessage): RecordedRequest {
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } };
}
