import type { ECRClient } from '@aws-sdk/client-ecr';
import { isRetryableAwsError } from '../../aws/aws-error';
import { GuardError } from '../../errors';
import { ReasonCode } from '../../reasons';
import { isEcrRegistry, type EcrRegistryInfo } from '../../reference/ecr-host';
import { decodeBasicToken } from '../auth/basic-auth';
import type { CredentialProvider, RegistryCredentials } from '../types';

export interface EcrCredentialProviderOptions {
  /** The ECR API client for a region (the caller configures credentials, retries, endpoints, FIPS). */
  clientFor: (region: string, registry: EcrRegistryInfo) => Pick<ECRClient, 'send'>;
  /** Refresh this long before `expiresAt`. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  /** Which hosts are ECR registries. Default `isEcrRegistry`; tests map a loopback host. */
  resolveHost?: (registry: string) => EcrRegistryInfo | undefined;
}

/** ECR answers "expires in 12 hours"; when it omits `expiresAt`, assume this much less. */
const ASSUMED_LIFETIME_MS = 60 * 60 * 1000;

/**
 * Credentials for Amazon ECR private registries: `ecr:GetAuthorizationToken` in the registry's
 * region, whose `authorizationToken` is base64("AWS:<password>") and is sent as HTTP Basic.
 * One token per region (it is valid for every registry the principal may read there), cached
 * until `expiresAt` minus the margin, with at most one GetAuthorizationToken in flight per region.
 * Hosts that are not ECR get `undefined`, so the token never goes anywhere else.
 */
export class EcrCredentialProvider implements CredentialProvider {
  private readonly cache = new Map<string, { credentials: RegistryCredentials; refreshAt: number }>();
  private readonly inFlight = new Map<string, Promise<RegistryCredentials>>();
  private readonly clients = new Map<string, Pick<ECRClient, 'send'>>();
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private readonly resolveHost: (registry: string) => EcrRegistryInfo | undefined;

  constructor(private readonly options: EcrCredentialProviderOptions) {
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.resolveHost = options.resolveHost ?? isEcrRegistry;
  }

  async getCredentials(registry: string): Promise<RegistryCredentials | undefined> {
    const info = this.resolveHost(registry);
    if (!info) return undefined;
    const cached = this.cache.get(info.region);
    if (cached && this.now() < cached.refreshAt) return cached.credentials;
    let pending = this.inFlight.get(info.region);
    if (!pending) {
      pending = this.fetchToken(registry, info).finally(() => this.inFlight.delete(info.region));
      this.inFlight.set(info.region, pending);
    }
    return pending;
  }

  private client(info: EcrRegistryInfo): Pick<ECRClient, 'send'> {
    let client = this.clients.get(info.region);
    if (!client) {
      client = this.options.clientFor(info.region, info);
      this.clients.set(info.region, client);
    }
    return client;
  }

  private async fetchToken(registry: string, info: EcrRegistryInfo): Promise<RegistryCredentials> {
    let output;
    try {
      // Loaded on first use: a policy that names no ECR image never loads the ECR client.
      const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
      output = await this.client(info).send(new GetAuthorizationTokenCommand({}));
    } catch (e) {
      throw mapEcrError(registry, info.region, e);
    }
    const data = output?.authorizationData?.[0];
    const decoded = data?.authorizationToken ? decodeBasicToken(data.authorizationToken) : undefined;
    if (!decoded) {
      throw new GuardError(
        ReasonCode.REGISTRY_AUTH,
        `ECR GetAuthorizationToken in ${info.region} returned no usable authorizationToken (expected base64 "AWS:<password>")`,
      );
    }
    const credentials: RegistryCredentials = { kind: 'basic', ...decoded };
    const expiresAt =
      data?.expiresAt instanceof Date ? data.expiresAt.getTime() : this.now() + ASSUMED_LIFETIME_MS;
    this.cache.set(info.region, { credentials, refreshAt: expiresAt - this.refreshMarginMs });
    return credentials;
  }
}

function mapEcrError(registry: string, region: string, e: unknown): GuardError {
  const error = e as { name?: string; message?: string };
  const name = error.name ?? 'Error';
  const message = `ECR GetAuthorizationToken for ${registry} (${region}) failed: ${name}: ${error.message ?? String(e)}`;
  if (isRetryableAwsError(e)) {
    return new GuardError(ReasonCode.REGISTRY_UNAVAILABLE, message, { retryable: true, cause: e });
  }
  return new GuardError(ReasonCode.REGISTRY_AUTH, message, { cause: e });
}
