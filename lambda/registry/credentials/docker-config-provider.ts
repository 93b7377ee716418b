import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { GuardError } from '../../errors';
import { ReasonCode } from '../../reasons';
import { DOCKER_HUB, isDockerHub } from '../../reference/docker-hub';
import { decodeBasicToken } from '../auth/basic-auth';
import type { CredentialProvider, RegistryCredentials } from '../types';

export interface DockerConfigCredentialProviderOptions {
  /** Directory holding `config.json`. Default: `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string;
  /** Environment to read `DOCKER_CONFIG` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** `https://index.docker.io/v1/` → `docker.io`, `https://host:5000/v2/` → `host:5000`. */
function normaliseRegistryKey(key: string): string {
  const host = (
    key
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .split('/')[0] ?? ''
  ).trim();
  return isDockerHub(host) ? DOCKER_HUB : host;
}

/**
 * Credentials from a Docker client config (`auths` entries): `auth` (base64 "user:password"),
 * `username`/`password`, or `identitytoken` (an OAuth2 refresh token). Docker Hub is stored
 * under `https://index.docker.io/v1/`. Credential helpers (`credsStore`, `credHelpers`) are not
 * executed. The file is read once, on first use; a missing file means no credentials.
 */
export class DockerConfigCredentialProvider implements CredentialProvider {
  private entries: Promise<Map<string, AuthEntry>> | undefined;
  readonly configPath: string;

  constructor(options: DockerConfigCredentialProviderOptions = {}) {
    const env = options.env ?? process.env;
    const dir = options.configDir ?? env.DOCKER_CONFIG ?? path.join(homedir(), '.docker');
    this.configPath = path.join(dir, 'config.json');
  }

  async getCredentials(registry: string): Promise<RegistryCredentials | undefined> {
    this.entries ??= this.load();
    const entry = (await this.entries).get(normaliseRegistryKey(registry));
    return entry ? this.toCredentials(registry, entry) : undefined;
  }

  private toCredentials(registry: string, entry: AuthEntry): RegistryCredentials | undefined {
    if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
      return { kind: 'identity-token', token: entry.identitytoken };
    }
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = decodeBasicToken(entry.auth);
      if (!decoded) {
        throw new GuardError(
          ReasonCode.REGISTRY_AUTH,
          `${this.configPath}: the "auth" entry for ${registry} is not base64 of "user:password"`,
        );
      }
      return { kind: 'basic', ...decoded };
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
      return { kind: 'basic', username: entry.username, password: entry.password };
    }
    return undefined;
  }

  private async load(): Promise<Map<string, AuthEntry>> {
    let text: string;
    try {
      const bytes = await readFile(this.configPath);
      if (bytes.length > MAX_CONFIG_BYTES) throw new Error(`larger than ${MAX_CONFIG_BYTES} bytes`);
      text = bytes.toString('utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return new Map();
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `cannot read ${this.configPath}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch (e) {
      throw new GuardError(ReasonCode.REGISTRY_AUTH, `${this.configPath} is not valid JSON`, { cause: e });
    }
    const auths = (config as { auths?: unknown } | null)?.auths;
    const entries = new Map<string, AuthEntry>();
    if (typeof auths !== 'object' || auths === null) return entries;
    for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
      if (typeof value !== 'object' || value === null) continue;
      const normalised = normaliseRegistryKey(key);
      // An entry written exactly as the host wins over a URL-shaped one for the same host.
      if (!entries.has(normalised) || key.toLowerCase() === normalised)
        entries.set(normalised, value as AuthEntry);
    }
    return entries;
  }
}
