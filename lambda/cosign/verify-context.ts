import { GuardError } from '../errors';
import type { TrustedKey } from '../keys/types';
import { ReasonCode } from '../reasons';
import type { TlogOptions } from './types';

/** What every signature check needs: the image digest being verified, the trusted keys, the tlog policy. */
export interface CosignVerifyContext {
  /** `sha256:<64 lower-case hex>` of the image manifest (or index) that runs. */
  imageDigest: string;
  keys: readonly TrustedKey[];
  tlog: TlogOptions;
}

const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;

/**
 * The hex part of the context's image digest. A malformed digest here is a caller bug (the digest
 * comes from our own resolution, not from the artifact), so it throws instead of failing the check.
 */
export function imageDigestHex(ctx: CosignVerifyContext): string {
  const match = SHA256_DIGEST.exec(ctx.imageDigest);
  if (match === null || match[1] === undefined) {
    throw new GuardError(
      ReasonCode.INTERNAL_ERROR,
      `image digest "${ctx.imageDigest}" is not sha256:<64 lower-case hex>`,
    );
  }
  return match[1];
}

export function isSha256Digest(value: string): boolean {
  return SHA256_DIGEST.test(value);
}
