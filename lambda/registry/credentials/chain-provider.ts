import type { CredentialProvider, RegistryCredentials } from '../types';

/** Asks each provider in turn; the first that has credentials for the registry wins. */
export class ChainCredentialProvider implements CredentialProvider {
  constructor(private readonly providers: readonly CredentialProvider[]) {}

  async getCredentials(registry: string): Promise<RegistryCredentials | undefined> {
    for (const provider of this.providers) {
      const credentials = await provider.getCredentials(registry);
      if (credentials) return credentials;
    }
    return undefined;
  }
}

/** Fixed credentials per registry host (CLI flags, tests). */
export class StaticCredentialProvider implements CredentialProvider {
  private readonly byHost: Map<string, RegistryCredentials>;

  constructor(entries: Record<string, RegistryCredentials>) {
    this.byHost = new Map(Object.entries(entries).map(([host, c]) => [host.toLowerCase(), c]));
  }

  async getCredentials(registry: string): Promise<RegistryCredentials | undefined> {
    return this.byHost.get(registry.toLowerCase());
  }
}
