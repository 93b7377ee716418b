/**
 * A fetch for the RegistryClient that measures network time: the time during which at least one
 * request is in flight (a union of intervals, since a verification runs its two lookups in
 * parallel). The body is read in full inside the measured interval and handed on from memory,
 * so "in fetch" covers headers and body; what remains of a verification is in-process work.
 */
import type { FetchFunction, FetchResponse } from '../lambda/registry/fetch-function';

export interface TimedFetch {
  fetch: FetchFunction;
  /** Milliseconds with ≥ 1 request in flight since the last reset. */
  busyMs(): number;
  requests(): number;
  reset(): void;
}

export function createTimedFetch(): TimedFetch {
  let active = 0;
  let since = 0;
  let busy = 0;
  let count = 0;
  const enter = (): void => {
    if (active === 0) since = performance.now();
    active += 1;
    count += 1;
  };
  const leave = (): void => {
    active -= 1;
    if (active === 0) busy += performance.now() - since;
  };
  const fetch: FetchFunction = async (url, init) => {
    enter();
    try {
      const response = await globalThis.fetch(url, init);
      const bytes = response.body === null ? null : new Uint8Array(await response.arrayBuffer());
      const buffered: FetchResponse = {
        status: response.status,
        headers: response.headers,
        body: bytes === null ? null : new Blob([bytes]).stream(),
      };
      return buffered;
    } finally {
      leave();
    }
  };
  return {
    fetch,
    busyMs: () => busy + (active > 0 ? performance.now() - since : 0),
    requests: () => count,
    reset: () => {
      busy = 0;
      count = 0;
      if (active > 0) since = performance.now();
    },
  };
}
