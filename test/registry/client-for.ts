import { GuardError } from '../../lambda/errors';
import { StaticCredentialProvider } from '../../lambda/registry/credentials/chain-provider';
import { RegistryClient } from '../../lambda/registry/client';
import type { RegistryClientOptions } from '../../lambda/registry/options';
import type { RepositoryRef } from '../../lambda/registry/types';
import type { RegistryEndpoint } from '../support/registry';

/** Small limits so failure paths finish quickly (no timing is asserted anywhere). */
export const FAST: RegistryClientOptions = {
  requestTimeoutMs: 2000,
  baseBackoffMs: 1,
  maxBackoffMs: 5,
  maxRetryAfterMs: 20,
};

/**
 * A RegistryClient for a test endpoint: its CA when https, plain HTTP allowed when http, and
 * its credentials (if any) from a static provider. `overrides` win.
 */
export function clientFor(endpoint: RegistryEndpoint, overrides: RegistryClientOptions = {}): RegistryClient {
  const options: RegistryClientOptions = { ...FAST };
  if (endpoint.url.startsWith('http:')) options.insecureRegistries = [endpoint.host];
  if (endpoint.caPem) options.caPem = endpoint.caPem;
  if (endpoint.credentials) {
    options.credentials = new StaticCredentialProvider({
      [endpoint.host]: { kind: 'basic', ...endpoint.credentials },
    });
  }
  return new RegistryClient({ ...options, ...overrides });
}

export function repoOf(endpoint: RegistryEndpoint, repository: string): RepositoryRef {
  return { registry: endpoint.host, repository };
}

/** Awaits `promise`, expects it to reject with a GuardError, and returns that error. */
export async function guardErrorOf(promise: Promise<unknown>): Promise<GuardError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(GuardError);
    return e as GuardError;
  }
  throw new Error('expected a GuardError, but the promise resolved');
}
