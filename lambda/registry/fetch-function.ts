import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/**
 * The slice of WHATWG fetch the client uses. Both Node's global fetch and undici's `fetch`
 * satisfy it, so the default (no custom CA) path loads nothing beyond the runtime.
 */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  redirect: 'manual';
  signal: AbortSignal;
}

export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}

export type FetchFunction = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** A fetch bound to its connection pool; `close` releases the pool (custom CA agents). */
export interface Fetcher {
  fetch: FetchFunction;
  close(): Promise<void>;
}

/**
 * The global fetch when no CA is configured; otherwise undici's own fetch with an Agent that
 * trusts the system roots plus `caPem` (undici is loaded only then — the Lambda path never
 * needs it, so its bundle can mark `undici` external; and mixing the global fetch with a
 * separately installed undici Agent is unsafe).
 */
export function createFetcher(caPem: string | undefined, injected?: FetchFunction): Fetcher {
  if (injected) return { fetch: injected, close: async () => undefined };
  if (caPem === undefined) {
    return {
      fetch: (url, init) => globalThis.fetch(url, init) as Promise<FetchResponse>,
      close: async () => undefined,
    };
  }
  let undici: typeof import('undici');
  try {
    undici = require('undici') as typeof import('undici');
  } catch (e) {
    // A bundle may leave undici out (the Lambda never needs a custom CA).
    throw new GuardError(
      ReasonCode.INTERNAL_ERROR,
      'a custom registry CA needs the "undici" package, which is not available',
      {
        cause: e,
      },
    );
  }
  const { rootCertificates } = require('node:tls') as typeof import('node:tls');
  const agent = new undici.Agent({ connect: { ca: [...rootCertificates, caPem] } });
  return {
    fetch: (url, init) =>
      undici.fetch(url, { ...init, dispatcher: agent }) as unknown as Promise<FetchResponse>,
    close: () => agent.close(),
  };
}
