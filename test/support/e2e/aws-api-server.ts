/**
 * A loopback HTTP server answering one AWS API the way the service does on the wire, recording
 * every call (operation, input, the caller's access key id) so tests can assert exact counts.
 */
import type http from 'node:http';
import { startLoopbackServer, type LoopbackServer } from '../registry';

/** One request as the fake understood it. */
export interface ApiCall {
  operation: string;
  input: Record<string, unknown>;
  /** From the SigV4 Authorization header: whose call it was (the Lambda's, or the test's own). */
  accessKeyId: string | undefined;
}

/** An error answered the way the service answers it (the SDK turns `type` into the exception name). */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiServer extends LoopbackServer {
  readonly calls: ApiCall[];
  /** Calls of one operation (all callers, or only those signed with `accessKeyId`). */
  callsOf(operation: string, accessKeyId?: string): ApiCall[];
}

/** Reads a body in full, bounded (a fake must not be the thing that runs out of memory). */
export function readBody(req: http.IncomingMessage, max = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) reject(new Error(`request body over ${max} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function accessKeyIdOf(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? '';
  return /Credential=([^/,\s]+)\//.exec(auth)?.[1];
}

/**
 * Starts a fake of an API: `decode` turns a request into (operation, input), `encode` writes a
 * result or fault in the protocol's shape, `answer` is the service's behaviour.
 */
export async function startApiServer(protocol: {
  decode(req: http.IncomingMessage, body: string): { operation: string; input: Record<string, unknown> };
  encode(res: http.ServerResponse, outcome: { result: unknown } | { fault: ApiFault }): void;
  answer(call: ApiCall, req: http.IncomingMessage): Promise<unknown> | unknown;
}): Promise<ApiServer> {
  const calls: ApiCall[] = [];
  const server = await startLoopbackServer((req, res) => {
    void (async () => {
      let call: ApiCall | undefined;
      try {
        const body = await readBody(req);
        const { operation, input } = protocol.decode(req, body);
        call = { operation, input, accessKeyId: accessKeyIdOf(req) };
        calls.push(call);
        const result = await protocol.answer(call, req);
        if (!res.destroyed) protocol.encode(res, { result });
      } catch (e) {
        const fault =
          e instanceof ApiFault
            ? e
            : new ApiFault(500, 'InternalFailure', e instanceof Error ? e.message : String(e));
        if (!res.destroyed) protocol.encode(res, { fault });
      }
    })();
  });
  return {
    ...server,
    calls,
    callsOf: (operation, accessKeyId) =>
      calls.filter(
        (c) => c.operation === operation && (accessKeyId === undefined || c.accessKeyId === accessKeyId),
      ),
  };
}

/** The awsJson1_0 / awsJson1_1 protocols: POST /, `X-Amz-Target: <Prefix>.<Operation>`, JSON both ways. */
export function awsJsonProtocol(targetPrefix: string, version: '1.0' | '1.1') {
  const contentType = `application/x-amz-json-${version}`;
  return {
    decode(req: http.IncomingMessage, body: string) {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith(`${targetPrefix}.`)) {
        throw new ApiFault(400, 'UnknownOperationException', `unexpected target ${JSON.stringify(target)}`);
      }
      return {
        operation: target.slice(targetPrefix.length + 1),
        input: (body ? JSON.parse(body) : {}) as Record<string, unknown>,
      };
    },
    encode(res: http.ServerResponse, outcome: { result: unknown } | { fault: ApiFault }) {
      if ('fault' in outcome) {
        res.writeHead(outcome.fault.status, { 'content-type': contentType });
        res.end(JSON.stringify({ __type: outcome.fault.type, message: outcome.fault.message }));
      } else {
        res.writeHead(200, { 'content-type': contentType });
        res.end(JSON.stringify(outcome.result ?? {}));
      }
    },
  };
}
