import { createPublicKey, type KeyObject } from 'node:crypto';
import type { GetPublicKeyCommandOutput, KMSClient } from '@aws-sdk/client-kms';
import type { Sender } from '../aws/lazy-client';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { spkiFingerprint } from './fingerprint';
import { kmsErrorToGuardError } from './kms-error';
import { kmsSigningScheme, SUPPORTED_KMS_KEY_SPECS } from './kms-key-spec';
import { parseAwsKmsRef, type AwsKmsRef } from './kms-ref';
import type { HashAlgorithm, TrustedKey } from './types';

/** Builds (or returns a shared) KMS client for a key's region and optional custom endpoint. */
export type KmsClientFactory = (region?: string, endpoint?: string) => Sender<KMSClient>;

export interface KmsKeyLoaderOptions {
  clientFor: KmsClientFactory;
  /** How long a failed load is remembered (and returned) before KMS is asked again. Default 2 s. */
  failureBackoffMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

interface LoadedKmsKey {
  publicKey: KeyObject;
  hashAlgorithm: HashAlgorithm;
  fingerprint: string;
}

interface CacheEntry {
  promise: Promise<LoadedKmsKey>;
  failedAt?: number;
}

const DEFAULT_FAILURE_BACKOFF_MS = 2000;

/**
 * Loads public keys from AWS KMS, once per key per process: the GetPublicKey promise is cached, so
 * concurrent and later loads share one call. A failure is remembered only for a short backoff, after
 * which the next load asks KMS again. The signing scheme follows the key's KeySpec, as in cosign.
 */
export class KmsKeyLoader {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly backoffMs: number;
  private readonly now: () => number;

  constructor(private readonly options: KmsKeyLoaderOptions) {
    this.backoffMs = options.failureBackoffMs ?? DEFAULT_FAILURE_BACKOFF_MS;
    this.now = options.now ?? Date.now;
  }

  async load(spec: { name: string; ref: string }): Promise<TrustedKey> {
    const parsed = parseAwsKmsRef(spec.ref);
    const cacheKey = `${parsed.endpoint ?? ''}/${parsed.keyId}`;
    let entry = this.cache.get(cacheKey);
    if (entry?.failedAt !== undefined && this.now() - entry.failedAt >= this.backoffMs) {
      this.cache.delete(cacheKey);
      entry = undefined;
    }
    if (entry === undefined) {
      const created: CacheEntry = { promise: this.fetch(parsed, spec.ref) };
      created.promise.catch(() => {
        created.failedAt = this.now();
      });
      this.cache.set(cacheKey, created);
      entry = created;
    }
    const loaded = await entry.promise;
    return { name: spec.name, source: spec.ref, ...loaded };
  }

  private async fetch(ref: AwsKmsRef, source: string): Promise<LoadedKmsKey> {
    let out: GetPublicKeyCommandOutput;
    try {
      const client = this.options.clientFor(ref.region, ref.endpoint);
      // Loaded on first use: a policy with PEM keys only never loads the KMS client.
      const { GetPublicKeyCommand } = await import('@aws-sdk/client-kms');
      out = await client.send(new GetPublicKeyCommand({ KeyId: ref.keyId }));
    } catch (e) {
      throw kmsErrorToGuardError(e, source);
    }
    return publicKeyFromResponse(out, source);
  }
}

/** Validates a GetPublicKey response the way cosign would use the key. */
export function publicKeyFromResponse(out: GetPublicKeyCommandOutput, source: string): LoadedKmsKey {
  const fail = (what: string): GuardError =>
    new GuardError(ReasonCode.KEY_UNAVAILABLE, `KMS key "${source}": ${what}`);
  const scheme = kmsSigningScheme(out.KeySpec);
  if (scheme === undefined) {
    throw fail(
      `KeySpec ${out.KeySpec ?? '(none)'} cannot verify cosign signatures ` +
        `(supported: ${SUPPORTED_KMS_KEY_SPECS.join(', ')})`,
    );
  }
  if (out.KeyUsage !== 'SIGN_VERIFY') {
    throw fail(`KeyUsage is ${out.KeyUsage ?? '(none)'}; a signing key needs SIGN_VERIFY`);
  }
  if (out.PublicKey === undefined || out.PublicKey.length === 0)
    throw fail('GetPublicKey returned no PublicKey');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
  } catch (e) {
    throw fail(`PublicKey is not a DER SubjectPublicKeyInfo (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!scheme.matches(publicKey)) throw fail(`the returned public key does not match KeySpec ${out.KeySpec}`);
  if (
    out.SigningAlgorithms !== undefined &&
    !out.SigningAlgorithms.includes(scheme.signingAlgorithm as never)
  ) {
    throw fail(
      `SigningAlgorithms [${out.SigningAlgorithms.join(', ')}] do not include ${scheme.signingAlgorithm}, ` +
        'which cosign uses for this KeySpec',
    );
  }
  return { publicKey, hashAlgorithm: scheme.hashAlgorithm, fingerprint: spkiFingerprint(publicKey) };
}
