import { createHash } from 'node:crypto';
import type { VerdictCache } from '../cache/verdict-cache';
import { toGuardError } from '../errors';
import { formatReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import { ReasonCode } from '../reasons';
import { VerificationBudget } from '../registry/budget';
import type { RegistryReader } from '../registry/types';
import { discoverAndCheck } from './discover';
import { DEFAULT_VERIFY_LIMITS, type VerifyLimits } from './limits';
import { summarise } from './summarise';
import type { DigestSource, ImageVerification, VerifyOptions } from './types';

export interface ImageVerifierDeps {
  registry: RegistryReader;
  cache?: VerdictCache;
  limits?: Partial<VerifyLimits>;
  now?: () => number;
}

/**
 * Verifies one image: pins the digest (given, else the tag resolved once), then finds and
 * checks every signature. Concurrent calls for the same question share one lookup, and a
 * cached verdict costs no request.
 */
export class ImageVerifier {
  private readonly limits: VerifyLimits;
  private readonly inFlight = new Map<string, Promise<ImageVerification>>();
  private readonly now: () => number;

  constructor(private readonly deps: ImageVerifierDeps) {
    this.limits = { ...DEFAULT_VERIFY_LIMITS, ...deps.limits };
    this.now = deps.now ?? (() => performance.now());
  }

  /**
   * Pins a reference to a digest: its own digest, else the tag resolved once against the registry.
   * A failure comes back as a finished (unverified) verdict, never as a pass.
   */
  async resolveDigest(
    ref: ImageReference,
    signal?: AbortSignal,
  ): Promise<{ digest: string; digestSource: DigestSource } | { failure: ImageVerification }> {
    if (ref.digest) return { digest: ref.digest, digestSource: 'given' };
    const started = this.now();
    const image = formatReference(ref, { withTag: true, withDigest: true });
    const tag = ref.tag ?? 'latest';
    // Resolving is one manifest read; it has a budget of its own like every lookup.
    const budget = new VerificationBudget(this.limits);
    try {
      const manifest = await this.deps.registry.getManifest(ref, tag, {
        budget,
        ...(signal ? { signal } : {}),
      });
      if (manifest) return { digest: manifest.digest, digestSource: 'resolved' };
      return {
        failure: this.result(image, started, {
          reason: ReasonCode.NO_DIGEST,
          message: `tag "${tag}" does not exist in ${ref.registry}/${ref.repository}`,
        }),
      };
    } catch (e) {
      const error = toGuardError(e, ReasonCode.REGISTRY_UNAVAILABLE);
      return {
        failure: this.result(image, started, {
          reason: error.code,
          message: `could not resolve the tag to a digest: ${error.message}`,
          error: true,
        }),
      };
    }
  }

  async verify(ref: ImageReference, options: VerifyOptions): Promise<ImageVerification> {
    const started = this.now();
    const pinned = await this.resolveDigest(ref, options.signal);
    if ('failure' in pinned) return pinned.failure;
    const verdict = await this.verifyDigest(ref, pinned.digest, options);
    return {
      ...verdict,
      image: formatReference({ ...ref, digest: pinned.digest }, { withTag: true, withDigest: true }),
      digestSource: pinned.digestSource,
      durationMs: this.now() - started,
    };
  }

  private async verifyDigest(
    ref: ImageReference,
    digest: string,
    options: VerifyOptions,
  ): Promise<ImageVerification> {
    const key = verdictKey(ref, digest, options);
    const cached = this.deps.cache?.get(key);
    if (cached) return { ...cached, cached: true };
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookup(ref, digest, options).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    const verdict = await lookup;
    this.deps.cache?.set(key, verdict);
    return verdict;
  }

  private async lookup(
    ref: ImageReference,
    digest: string,
    options: VerifyOptions,
  ): Promise<ImageVerification> {
    const started = this.now();
    const image = formatReference({ ...ref, digest }, { withTag: true, withDigest: true });
    // One budget per image lookup: whatever the registry lists, this is all it can cost.
    const budget = new VerificationBudget(this.limits);
    try {
      const discovery = await discoverAndCheck({
        registry: this.deps.registry,
        repo: ref,
        imageDigest: digest,
        keys: options.keys,
        tlog: options.tlog,
        limits: this.limits,
        budget,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const summary = summarise(discovery);
      return {
        image,
        digest,
        verified: summary.verified,
        reason: summary.reason,
        message: summary.message,
        verifiedKeys: summary.verifiedKeys,
        signatures: discovery.checks,
        error: summary.error,
        cached: false,
        durationMs: this.now() - started,
        usage: budget.usage,
      };
    } catch (e) {
      const error = toGuardError(e);
      // A spent budget is a decision about the registry's content; anything else is "unknown".
      const undecided = error.code !== ReasonCode.LIMIT_EXCEEDED;
      return {
        ...this.result(image, started, { reason: error.code, message: error.message, error: undecided }),
        digest,
        usage: budget.usage,
      };
    }
  }

  private result(
    image: string,
    started: number,
    outcome: { reason: ReasonCode; message: string; error?: boolean },
  ): ImageVerification {
    return {
      image,
      verified: false,
      reason: outcome.reason,
      message: outcome.message,
      verifiedKeys: [],
      signatures: [],
      error: outcome.error ?? false,
      cached: false,
      durationMs: this.now() - started,
    };
  }
}

/** Everything that changes the answer: where the image lives, its digest, the keys, the tlog rules, the policy. */
export function verdictKey(ref: ImageReference, digest: string, options: VerifyOptions): string {
  const keys = options.keys.map((k) => `${k.name}=${k.fingerprint}/${k.hashAlgorithm}`).sort();
  const rekor = options.tlog.rekorKeys.map((k) => k.logId).sort();
  const material = JSON.stringify([
    ref.registry,
    ref.repository,
    digest,
    keys,
    options.tlog.mode,
    rekor,
    options.policySha256 ?? '',
  ]);
  return createHash('sha256').update(material).digest('hex');
}
