/**
 * AWS Signer revocation (`signer:GetRevocationStatus`), asked the way the AWS Signer Notation plugin
 * asks it, with answers cached for a bounded time and size. Revoked is a denial (REVOKED, naming
 * what was revoked); a failed call is REVOCATION_UNAVAILABLE, an error: never a pass.
 */
import { createHash } from 'node:crypto';
import type { SignerClient } from '@aws-sdk/client-signer';
import { classifyAwsError, describeAwsError } from '../aws/aws-error';
import type { Sender } from '../aws/lazy-client';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry';
import { LruCache } from '../cache/lru-cache';
import { GuardError } from '../errors';
import type { AwsSignerRevocationInput, RevocationChecker, RevocationResult } from '../notation/types';
import { ReasonCode } from '../reasons';
import { untrustedText } from '../text/untrusted-text';

export const DEFAULT_REVOCATION_TTL_MS = 15 * 60_000;
export const DEFAULT_REVOCATION_CACHE_ENTRIES = 1000;

export interface AwsSignerRevocationCheckerOptions {
  client: Sender<SignerClient>;
  /** How long an answer is reused (the policy's setting; default 15 minutes). */
  ttlMs?: number;
  maxEntries?: number;
  /** Wall clock, epoch ms (cache expiry and `checkedAt`). */
  now?: () => number;
  /** Back-off of the retries of a throttled or failed call, within the caller's signal. */
  retry?: Partial<Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'sleep' | 'random'>>;
}

type Answer = Extract<RevocationResult, { status: 'not-revoked' | 'revoked' }>;

export class AwsSignerRevocationChecker implements RevocationChecker {
  /** Answers by signature identity; a failure is never cached (it must be asked again). */
  private readonly answers: LruCache<Answer>;
  private readonly inFlight = new Map<string, Promise<Answer>>();
  private readonly now: () => number;
  readonly ttlMs: number;

  constructor(private readonly options: AwsSignerRevocationCheckerOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_REVOCATION_TTL_MS;
    if (!(this.ttlMs > 0)) throw new RangeError('the revocation cache time must be positive');
    this.now = options.now ?? Date.now;
    this.answers = new LruCache(options.maxEntries ?? DEFAULT_REVOCATION_CACHE_ENTRIES, this.now);
  }

  async check(input: AwsSignerRevocationInput, signal?: AbortSignal): Promise<RevocationResult> {
    const key = cacheKey(input);
    const cached = this.answers.get(key);
    if (cached) return { ...cached, cached: true };
    // Containers of one task usually share an image: one call answers them all.
    const pending = this.inFlight.get(key);
    if (pending) return { ...(await pending), cached: true };
    const asking = this.ask(input, signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, asking);
    const answer = await asking;
    this.answers.set(key, answer, this.ttlMs);
    return answer;
  }

  private async ask(input: AwsSignerRevocationInput, signal?: AbortSignal): Promise<Answer> {
    const { GetRevocationStatusCommand } = await import('@aws-sdk/client-signer');
    const command = new GetRevocationStatusCommand({
      signatureTimestamp: input.signatureTimestamp,
      platformId: input.platformId,
      profileVersionArn: input.profileVersionArn,
      jobArn: input.jobArn,
      certificateHashes: [...input.certificateHashes],
    });
    let revokedEntities: string[];
    try {
      const response = await withRetry(
        () => this.options.client.send(command, signal ? { abortSignal: signal } : {}),
        { ...DEFAULT_RETRY, ...this.options.retry, ...(signal ? { signal } : {}) },
      );
      revokedEntities = response.revokedEntities ?? [];
    } catch (e) {
      throw revocationFailure(e, input);
    }
    const checkedAt = new Date(this.now()).toISOString();
    if (revokedEntities.length === 0) return { status: 'not-revoked', checkedAt, cached: false };
    return { status: 'revoked', revokedEntities: [...revokedEntities], checkedAt, cached: false };
  }
}

/**
 * Everything AWS Signer is asked about one signature. The signing time is part of it too: a
 * revocation applies from its effective date, so the same job signed at another time is another question.
 */
function cacheKey(input: AwsSignerRevocationInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.profileVersionArn,
        input.jobArn,
        input.certificateHashes,
        input.platformId,
        input.signatureTimestamp.toISOString(),
      ]),
    )
    .digest('hex');
}

function revocationFailure(error: unknown, input: AwsSignerRevocationInput): GuardError {
  if (error instanceof GuardError && error.code === ReasonCode.TIMEOUT) return error;
  const { kind } = classifyAwsError(error);
  const hint = kind === 'access-denied' ? ' (is signer:GetRevocationStatus granted to the guard?)' : '';
  return new GuardError(
    ReasonCode.REVOCATION_UNAVAILABLE,
    `AWS Signer revocation status of ${untrustedText(input.jobArn, 200)} could not be checked${hint}: ${describeAwsError(error)}`,
    { retryable: kind === 'throttled' || kind === 'retryable', cause: error },
  );
}

/**
 * What a revoked answer revoked, in words: the profile version, the signing job, the profile (any
 * other ARN AWS names) and the certificates (by their position in the chain).
 */
export function describeRevoked(input: AwsSignerRevocationInput, revokedEntities: readonly string[]): string {
  const parts = revokedEntities.map((entity) => {
    const certificate = input.certificateHashes.findIndex((h) => h.toLowerCase() === entity.toLowerCase());
    if (certificate >= 0) return `certificate ${certificate} of the signature's chain`;
    if (entity === input.profileVersionArn) return `signing profile version ${untrustedText(entity, 200)}`;
    if (entity === input.jobArn) return `signing job ${untrustedText(entity, 200)}`;
    if (entity.includes(':/signing-profiles/')) return `signing profile ${untrustedText(entity, 200)}`;
    return untrustedText(entity, 200);
  });
  return `AWS Signer reports revoked: ${parts.join(', ')}`;
}
