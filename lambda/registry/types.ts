/** OCI content descriptor (image-spec descriptor.md), the subset the verifier reads. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

import type { VerificationBudget } from './budget';

/** The registry and repository a request is for. */
export interface RepositoryRef {
  registry: string;
  repository: string;
}

/** A manifest as fetched: the exact bytes, their verified digest and media type. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ReferrersResult {
  /** `api`: the referrers API answered; `tag`: the `sha256-<hex>` fallback index; `none`: neither exists. */
  source: 'api' | 'tag' | 'none';
  descriptors: Descriptor[];
}

export interface RequestOptions {
  /** Aborts the whole operation (the caller's overall deadline). */
  signal?: AbortSignal;
  /** The verification's allowance of requests, manifests and bytes; LIMIT_EXCEEDED once spent. */
  budget?: VerificationBudget;
}

/** What the verifier needs from a registry; implemented by RegistryClient, faked nowhere (tests use a real registry). */
export interface RegistryReader {
  /** Manifest by tag or digest; `undefined` when the registry says it does not exist (404). */
  getManifest(
    repo: RepositoryRef,
    reference: string,
    options?: RequestOptions,
  ): Promise<FetchedManifest | undefined>;
  /** Blob bytes, checked against the descriptor's digest and size; capped at `maxBytes`. */
  getBlob(
    repo: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    options?: RequestOptions & { maxBytes?: number },
  ): Promise<Buffer>;
  /** Referrers of a digest: the referrers API, else the referrers tag; paginated, filtered client side. */
  listReferrers(
    repo: RepositoryRef,
    subjectDigest: string,
    options?: RequestOptions & { artifactType?: string },
  ): Promise<ReferrersResult>;
}

/** Credentials for one registry host. They are only ever sent to that host (or its token realm). */
export type RegistryCredentials =
  { kind: 'basic'; username: string; password: string } | { kind: 'identity-token'; token: string };

export interface CredentialProvider {
  /** Credentials for `registry` (host[:port]), or undefined for anonymous access. */
  getCredentials(registry: string): Promise<RegistryCredentials | undefined>;
}
