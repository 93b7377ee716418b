/**
 * Docker Hub's names, in one place: references normalise to `docker.io`, the registry API answers on
 * `registry-1.docker.io`, and Docker's config.json files credentials under `https://index.docker.io/v1/`.
 */

/** Docker Hub as it appears in normalised references. */
export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API is, whatever name the reference used. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API_HOST]);

/** Whether `host` (any case, no scheme or path) is a name of Docker Hub. */
export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase());
}
