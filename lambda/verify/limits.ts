/** Bounds on what one verification reads from a registry (a registry cannot make us loop or allocate). */
export interface VerifyLimits {
  /** Signature layers read from one `.sig` manifest (cosign itself stops at 1000). */
  maxSignatureLayers: number;
  /** Bundle / signature referrers read for one image. */
  maxReferrers: number;
  /** Size cap of one signature payload or bundle blob. */
  maxSignatureBlobBytes: number;
  /** Parallel blob/manifest reads within one verification. */
  concurrency: number;
}

export const DEFAULT_VERIFY_LIMITS: VerifyLimits = {
  maxSignatureLayers: 100,
  maxReferrers: 50,
  maxSignatureBlobBytes: 1024 * 1024,
  concurrency: 4,
};
