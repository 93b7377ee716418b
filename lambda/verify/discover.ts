import { verifyBundle } from '../cosign/bundle';
import { verifyLegacyLayer } from '../cosign/legacy';
import { MAX_BUNDLE_BYTES, MAX_SIMPLE_SIGNING_PAYLOAD_BYTES } from '../cosign/limits';
import {
  COSIGN_SIG_ARTIFACT_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  isBundleMediaType,
} from '../cosign/media-types';
import type { TlogOptions } from '../cosign/types';
import type { TrustedKey } from '../keys/types';
import { ReasonCode } from '../reasons';
import type { VerificationBudget } from '../registry/budget';
import type { Descriptor, RegistryReader, RepositoryRef } from '../registry/types';
import { untrustedText } from '../text/untrusted-text';
import {
  artifactFailure,
  failedCheck,
  failedLookup,
  merge,
  NOTHING,
  readOptions,
  single,
} from './discovery-parts';
import type { VerifyLimits } from './limits';
import { mapLimit } from './map-limit';
import { checkNotationReferrer, isNotationReferrer, type NotationDiscovery } from './notation-discover';
import type { Discovery } from './summarise';

export interface DiscoveryContext {
  registry: RegistryReader;
  repo: RepositoryRef;
  imageDigest: string;
  keys: TrustedKey[];
  tlog: TlogOptions;
  limits: VerifyLimits;
  /** This verification's allowance; every registry read and every layer examined is charged. */
  budget: VerificationBudget;
  signal?: AbortSignal;
  /** Notation signatures are read only when the rule trusts a Notation signer (`verifiers` not empty). */
  notation?: NotationDiscovery;
}

/** Longest check message kept: cosign messages may quote what an artifact claims. */
const MAX_CHECK_MESSAGE = 600;

/** cosign's legacy signature tag: `sha256:abc…` → `sha256-abc….sig` (SIGNATURE_SPEC "Tag-based Discovery"). */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/**
 * Finds every signature of the image in both formats cosign writes, and Notation's, and checks each
 * one. Both lookups run in parallel; a malformed artifact fails alone, a failed lookup is recorded
 * as a transport error (never read as "unsigned"). Notation signatures come from the same referrers
 * listing as cosign bundles (the API, else the `sha256-<hex>` tag index): they cost no listing of
 * their own.
 */
export async function discoverAndCheck(ctx: DiscoveryContext): Promise<Discovery> {
  const [legacy, referrers] = await Promise.all([checkLegacyTag(ctx), checkReferrers(ctx)]);
  const exhausted = ctx.budget.exhausted;
  return {
    // Registry-supplied text quoted by a check is data, not layout.
    checks: [...referrers.checks, ...legacy.checks].map((c) => ({
      ...c,
      message: untrustedText(c.message, MAX_CHECK_MESSAGE),
    })),
    transportErrors: [...referrers.transportErrors, ...legacy.transportErrors],
    truncated: referrers.truncated || legacy.truncated,
    notation: {
      trusted: notationTrusted(ctx),
      unread: referrers.notation?.unread ?? 0,
    },
    ...(exhausted ? { budgetExhausted: exhausted } : {}),
    usage: ctx.budget.usage,
  };
}

function notationTrusted(ctx: DiscoveryContext): ctx is DiscoveryContext & { notation: NotationDiscovery } {
  return (ctx.notation?.verifiers.length ?? 0) > 0;
}

async function checkLegacyTag(ctx: DiscoveryContext): Promise<Discovery> {
  let manifestBytes: Buffer | undefined;
  try {
    manifestBytes = (
      await ctx.registry.getManifest(ctx.repo, signatureTag(ctx.imageDigest), readOptions(ctx))
    )?.bytes;
  } catch (e) {
    return failedLookup(e, 'legacy', signatureTag(ctx.imageDigest));
  }
  if (!manifestBytes) return { checks: [], transportErrors: [], truncated: false };
  return checkSimpleSigningManifest(ctx, manifestBytes, signatureTag(ctx.imageDigest));
}

async function checkReferrers(ctx: DiscoveryContext): Promise<Discovery> {
  let descriptors: Descriptor[];
  try {
    descriptors = (await ctx.registry.listReferrers(ctx.repo, ctx.imageDigest, readOptions(ctx))).descriptors;
  } catch (e) {
    return failedLookup(e, 'bundle', 'referrers');
  }
  // One artifact listed many times is read once: a repeated digest names the same bytes (whatever
  // type each listing claims for it).
  const seen = new Set<string>();
  const readNotation = notationTrusted(ctx);
  let unread = 0;
  const relevant = descriptors.filter((d) => {
    const notation = isNotationReferrer(d);
    if (!isBundleMediaType(d.artifactType ?? '') && d.artifactType !== COSIGN_SIG_ARTIFACT_TYPE && !notation)
      return false;
    if (seen.has(d.digest)) return false;
    seen.add(d.digest);
    // A rule that trusts no Notation signer cannot be satisfied by one: listed, not read.
    if (notation && !readNotation) {
      unread++;
      return false;
    }
    return true;
  });
  const truncated = relevant.length > ctx.limits.maxReferrers;
  const selected = relevant.slice(0, ctx.limits.maxReferrers);
  const parts = await mapLimit(selected, ctx.limits.concurrency, (d) => checkReferrer(ctx, d));
  return { ...merge(parts, truncated), notation: { trusted: readNotation, unread } };
}

async function checkReferrer(ctx: DiscoveryContext, descriptor: Descriptor): Promise<Discovery> {
  // Once the budget is spent, the remaining artifacts are not read (the verdict says why).
  if (ctx.budget.exhausted) return NOTHING;
  if (isNotationReferrer(descriptor)) {
    // Untrusted Notation signatures were filtered out above; the guard narrows the context's type.
    return notationTrusted(ctx) ? checkNotationReferrer(ctx, descriptor) : NOTHING;
  }
  const format = descriptor.artifactType === COSIGN_SIG_ARTIFACT_TYPE ? 'legacy' : 'bundle';
  let manifest: Buffer | undefined;
  try {
    manifest = (await ctx.registry.getManifest(ctx.repo, descriptor.digest, readOptions(ctx)))?.bytes;
  } catch (e) {
    return artifactFailure(e, format, descriptor.digest);
  }
  if (!manifest) {
    return single(
      failedCheck(
        format,
        descriptor.digest,
        ReasonCode.SIGNATURE_MALFORMED,
        'referrer manifest is listed but missing',
      ),
    );
  }
  if (format === 'legacy') return checkSimpleSigningManifest(ctx, manifest, descriptor.digest);

  const layers = parseLayers(manifest);
  if (!layers) {
    return single(
      failedCheck(
        'bundle',
        descriptor.digest,
        ReasonCode.SIGNATURE_MALFORMED,
        'referrer manifest is not a valid OCI manifest',
      ),
    );
  }
  const bundleLayers = layers.filter((l) => isBundleMediaType(l.mediaType));
  const layer = bundleLayers[0];
  if (bundleLayers.length !== 1 || !layer) {
    return single(
      failedCheck(
        'bundle',
        descriptor.digest,
        ReasonCode.SIGNATURE_MALFORMED,
        `expected exactly one bundle layer, found ${bundleLayers.length}`,
      ),
    );
  }
  let bytes: Buffer;
  try {
    ctx.budget.spendLayer(`bundle layer of ${descriptor.digest}`);
    bytes = await ctx.registry.getBlob(
      ctx.repo,
      layer,
      readOptions(ctx, Math.min(ctx.limits.maxSignatureBlobBytes, MAX_BUNDLE_BYTES)),
    );
  } catch (e) {
    return artifactFailure(e, 'bundle', descriptor.digest);
  }
  return single(verifyBundle({ artifact: descriptor.digest, bytes }, ctx));
}

async function checkSimpleSigningManifest(
  ctx: DiscoveryContext,
  manifest: Buffer,
  artifact: string,
): Promise<Discovery> {
  const layers = parseLayers(manifest);
  if (!layers) {
    return single(
      failedCheck(
        'legacy',
        artifact,
        ReasonCode.SIGNATURE_MALFORMED,
        'signature manifest is not a valid image manifest',
      ),
    );
  }
  const signatureLayers = layers.filter((l) => l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE);
  const truncated = signatureLayers.length > ctx.limits.maxSignatureLayers;
  const selected = signatureLayers.slice(0, ctx.limits.maxSignatureLayers);
  // Several layers may share one payload blob (one payload, signatures by different keys): read it
  // once, check every layer that names it, then let it go before the next payload is read.
  const byPayload = new Map<string, Descriptor[]>();
  for (const layer of selected) {
    const group = byPayload.get(layer.digest);
    if (group) group.push(layer);
    else byPayload.set(layer.digest, [layer]);
  }
  // A payload is fetched only up to the simple-signing cap: a bigger one would be refused anyway.
  const maxBytes = Math.min(ctx.limits.maxSignatureBlobBytes, MAX_SIMPLE_SIGNING_PAYLOAD_BYTES);
  const parts = await mapLimit(
    [...byPayload.values()],
    ctx.limits.concurrency,
    async (group): Promise<Discovery> => {
      const first = group[0] as Descriptor;
      if (ctx.budget.exhausted) return NOTHING;
      let payload: Buffer;
      try {
        for (const layer of group)
          ctx.budget.spendLayer(`signature layer ${untrustedText(layer.digest, 80)}`);
        payload = await ctx.registry.getBlob(ctx.repo, first, readOptions(ctx, maxBytes));
      } catch (e) {
        return merge(
          group.map((layer) => artifactFailure(e, 'legacy', layer.digest)),
          false,
        );
      }
      return merge(
        group.map((layer) =>
          single(verifyLegacyLayer({ artifact: layer.digest, payload, annotations: layer.annotations }, ctx)),
        ),
        false,
      );
    },
  );
  return merge(parts, truncated);
}

/** The `layers` of an OCI or Docker image manifest, or undefined when it is not one. */
function parseLayers(bytes: Buffer): Descriptor[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || !Array.isArray((json as { layers?: unknown }).layers))
    return undefined;
  const layers: Descriptor[] = [];
  for (const raw of (json as { layers: unknown[] }).layers) {
    if (!raw || typeof raw !== 'object') return undefined;
    const { mediaType, digest, size, annotations } = raw as Record<string, unknown>;
    if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof size !== 'number')
      return undefined;
    const stringAnnotations =
      annotations && typeof annotations === 'object'
        ? stringRecord(annotations as Record<string, unknown>)
        : undefined;
    layers.push({ mediaType, digest, size, annotations: stringAnnotations });
  }
  return layers;
}

function stringRecord(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (typeof v === 'string') out[k] = v;
  return out;
}
