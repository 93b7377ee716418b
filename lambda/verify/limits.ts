import type { BudgetLimits } from '../registry/budget';

/** Bounds on what one verification reads from a registry (a registry cannot make us loop or allocate). */
export interface VerifyLimits extends BudgetLimits {
  /** Signature layers read from one `.sig` manifest (cosign itself stops at 1000). */
  maxSignatureLayers: number;
  /** Bundle / signature referrers read for one image (after removing repeated digests). */
  maxReferrers: number;
  /** Size cap of one signature payload or bundle blob (each format's own cap applies too). */
  maxSignatureBlobBytes: number;
  /** Parallel blob/manifest reads within one verification. */
  concurrency: number;
}

/**
 * A normal image (a handful of signatures: legacy 4 requests, bundle 5) stays far inside the
 * budget; a registry that lists thousands of artifacts runs out of it within a few MiB.
 */
export const DEFAULT_VERIFY_LIMITS: VerifyLimits = {
  maxSignatureLayers: 100,
  maxReferrers: 50,
  maxSignatureBlobBytes: 1024 * 1024,
  concurrency: 4,
  maxRequests: 200,
  maxManifests: 64,
  maxLayers: 128,
  maxBytes: 16 * 1024 * 1024,
};
