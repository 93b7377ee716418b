import { ChainCredentialProvider } from '../registry/credentials/chain-provider';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { lazyClient, type Sender } from '../aws/lazy-client';
import { VerdictCache } from '../cache/verdict-cache';
import { parseRekorKey, publicGoodRekorKeys } from '../cosign/tlog/rekor-keys';
import type { RekorKey } from '../cosign/types';
import { createKmsClientFactory } from '../keys/kms-client-factory';
import { KmsKeyLoader } from '../keys/kms-key-loader';
import type { Policy } from '../policy/schema';
import { RegistryClient } from '../registry/client';
import type { RegistryClientOptions } from '../registry/options';
import type { CredentialProvider } from '../registry/types';
import { EcrCredentialProvider } from '../registry/credentials/ecr-provider';
import { ImageVerifier } from '../verify/image-verifier';
import { KeyRing } from './key-ring';

/** The verification engine as one object, built once per process (Lambda init or CLI run). */
export interface Engine {
  registry: RegistryClient;
  verifier: ImageVerifier;
  kms: KmsKeyLoader;
  cache?: VerdictCache;
}

export interface EngineOptions {
  registry?: RegistryClientOptions;
  /** Credentials besides ECR's (the CLI adds Docker's config.json). */
  extraCredentials?: CredentialProvider;
  kms?: KmsKeyLoader;
  /** A verdict cache, for a long-lived process (the Lambda). */
  cache?: VerdictCache;
}

/** Timeouts for every AWS call the guard makes: a slow API must not hang the invocation. */
export const AWS_CLIENT_DEFAULTS = {
  requestHandler: { connectionTimeout: 3000, requestTimeout: 5000 },
} as const;

/** ECR clients per region, made when a registry of that region is first met. */
export function ecrCredentials(): EcrCredentialProvider {
  const clients = new Map<string, Sender<ECRClient>>();
  return new EcrCredentialProvider({
    clientFor: (region) => {
      let client = clients.get(region);
      if (!client) {
        client = lazyClient(
          async () =>
            new (await import('@aws-sdk/client-ecr')).ECRClient({
              region,
              maxAttempts: 3,
              ...AWS_CLIENT_DEFAULTS,
            }),
        );
        clients.set(region, client);
      }
      return client;
    },
  });
}

export function createEngine(options: EngineOptions = {}): Engine {
  const ecr = ecrCredentials();
  // ECR first for ECR hosts (it answers undefined elsewhere), then the others.
  const credentials: CredentialProvider = options.extraCredentials
    ? new ChainCredentialProvider([ecr, options.extraCredentials])
    : ecr;
  const registry = new RegistryClient({ credentials, ...options.registry });
  const kms = options.kms ?? new KmsKeyLoader({ clientFor: createKmsClientFactory() });
  const verifier = new ImageVerifier({ registry, cache: options.cache });
  return { registry, verifier, kms, cache: options.cache };
}

export function keyRingFor(policy: Policy, kms: KmsKeyLoader): KeyRing {
  return new KeyRing(policy.keys, kms);
}

/** The transparency-log keys the policy trusts: its own, else the shipped public-good Rekor key. */
export function rekorKeysFor(policy: Policy): RekorKey[] {
  if (!policy.rekorPublicKeys || policy.rekorPublicKeys.length === 0) return publicGoodRekorKeys();
  return policy.rekorPublicKeys.map((pem, i) => parseRekorKey(pem, `policy rekorPublicKeys[${i}]`));
}
