export { RegistryClient } from './client';
export { DEFAULT_OPTIONS } from './options';
export type { RegistryClientOptions } from './options';
export type { RegistryStats, RequestKind } from './stats';
export { EcrCredentialProvider } from './credentials/ecr-provider';
export type { EcrCredentialProviderOptions } from './credentials/ecr-provider';
export { DockerConfigCredentialProvider } from './credentials/docker-config-provider';
export type { DockerConfigCredentialProviderOptions } from './credentials/docker-config-provider';
export { ChainCredentialProvider, StaticCredentialProvider } from './credentials/chain-provider';
export { parseWwwAuthenticate } from './auth/www-authenticate';
export type { AuthChallenge } from './auth/www-authenticate';
export { MediaType, MANIFEST_MEDIA_TYPES, MANIFEST_ACCEPT } from './media-types';
export { referrersTagFor } from './referrers-tag';
export { digestOf } from './content-digest';
export type {
  CredentialProvider,
  Descriptor,
  FetchedManifest,
  ReferrersResult,
  RegistryCredentials,
  RegistryReader,
  RepositoryRef,
  RequestOptions,
} from './types';
