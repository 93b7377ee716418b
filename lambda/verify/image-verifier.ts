import { createHash } from 'node:crypto';
import type { VerdictCache } from '../cache/verdict-cache';
import { toGuardError } from '../errors';
import type { NotationVerifier, TargetDescriptor } from '../notation/types';
import { formatReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import { ReasonCode } from '../reasons';
import { VerificationBudget } from '../registry/budget';
import type { RegistryReader } from '../registry/types';
import { discoverAndCheck } from './discover';
import { DEFAULT_VERIFY_LIMITS, type VerifyLimits } from './limits';
import { loadedNotationEnvelopeVerifier } from './notation-envelope-loader';
import type { NotationEnvelopeVerifier } from './notation-types';
import { summarise } from './summarise';
import type { DigestSource, ImageVerification, VerifyOptions } from './types';

export interface ImageVerifierDeps {
  registry: RegistryReader;
  cache?: VerdictCache;
  limits?: Partial<VerifyLimits>;
  now?: () => number;
  /** Verifies Notation envelopes; default: lambda/notation's, loaded on first use. */
  notationVerifier?: NotationEnvelopeVerifier;
  /** The time Notation signatures are judged at (expiry, certificate validity). */
  currentTime?: () => Date;
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
  ): Promise<
    { digest: string; digestSource: DigestSource; target?: TargetDescriptor } | { failure: ImageVerification }
  > {
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
      if (manifest) {
        // The manifest was read to resolve the tag: Notation's target descriptor costs no request.
        const target = {
          mediaType: manifest.mediaType,
          digest: manifest.digest,
          size: manifest.bytes.length,
        };
        return { digest: manifest.digest, digestSource: 'resolved', target };
      }
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
    const verdict = await this.verifyDigest(ref, pinned.digest, options, pinned.target);
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
    target?: TargetDescriptor,
  ): Promise<ImageVerification> {
    const key = verdictKey(ref, digest, options);
    const cached = this.deps.cache?.get(key);
    if (cached) return { ...cached, cached: true };
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookup(ref, digest, options, target).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    const verdict = await lookup;
    this.deps.cache?.set(key, verdict);
    return verdict;
  }

  private async lookup(
    ref: ImageReference,
    digest: string,
    options: VerifyOptions,
    knownTarget?: TargetDescriptor,
  ): Promise<ImageVerification> {
    const started = this.now();
    const image = formatReference({ ...ref, digest }, { withTag: true, withDigest: true });
    // One budget per image lookup: whatever the registry lists, this is all it can cost.
    const budget = new VerificationBudget(this.limits);
    const signers = options.notation ?? [];
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
        notation: {
          verifiers: signers,
          verifyEnvelope: this.deps.notationVerifier ?? loadedNotationEnvelopeVerifier,
          ...(options.revocation ? { revocation: options.revocation } : {}),
          // Known when the tag was resolved; else each signature manifest's subject gives it.
          ...(knownTarget ? { target: knownTarget } : {}),
          now: this.deps.currentTime ?? (() => new Date()),
        },
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
        ...(signers.length > 0
          ? {
              notation: {
                signers: signers.map((v) => v.name),
                awsSigner: signers.some((v) => v.kind === 'awsSigner'),
                cosign: options.keys.length > 0,
              },
            }
          : {}),
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

  /** The image manifest's (mediaType, digest, size), read by digest (so hashed and checked). */
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
    (options.notation ?? []).map(notationSignerKey).sort(),
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** A Notation signer as the cache sees it: its name and everything it trusts. */
function notationSignerKey(v: NotationVerifier): string {
  if (v.kind === 'awsSigner') {
    return JSON.stringify([v.kind, v.name, v.signingProfiles.map((p) => p.toLowerCase()).sort()]);
  }
  const stores = v.trustStores
    .map((s) => [
      s.type,
      s.name,
      s.certificates.map((c) => createHash('sha256').update(c).digest('hex')).sort(),
    ])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return JSON.stringify([v.kind, v.name, stores, [...v.trustedIdentities].sort(), v.verifyTimestamp]);
}
