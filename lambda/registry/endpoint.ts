import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { DOCKER_HUB_API_HOST, isDockerHub } from '../reference/docker-hub';

/** The host the registry API is reached at (`docker.io` → `registry-1.docker.io`). */
export function apiHost(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_API_HOST : registry;
}

/** Plain HTTP is allowed only for hosts listed exactly (`host[:port]`). */
export function isInsecureHost(host: string, insecure: ReadonlySet<string>): boolean {
  return insecure.has(host.toLowerCase());
}

/** `https://host[:port]` (or `http://` for an insecure registry): where every request for `registry` goes. */
export function registryOrigin(registry: string, insecure: ReadonlySet<string>): string {
  const host = apiHost(registry);
  const scheme = isInsecureHost(registry, insecure) || isInsecureHost(host, insecure) ? 'http' : 'https';
  return new URL(`${scheme}://${host}`).origin;
}

/**
 * Refuses a URL the client must not fetch: anything but https, except http to an insecure
 * host. Applies to registries, token realms and redirect targets alike.
 */
export function assertFetchableUrl(url: URL, insecure: ReadonlySet<string>, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isInsecureHost(url.host, insecure)) return;
  throw new GuardError(
    ReasonCode.REGISTRY_UNAVAILABLE,
    `refusing ${what} ${url.origin}: only https is allowed` +
      (url.protocol === 'http:'
        ? ` (plain HTTP only for registries listed as insecure, and ${url.host} is not)`
        : ''),
  );
}
