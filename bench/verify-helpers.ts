/** What every engine measurement shares: the verify options, references, and a hard check. */
import type { TrustedKey } from '../lambda/keys/types';
import { parseImageReference } from '../lambda/reference/parse';
import type { ImageReference } from '../lambda/reference/types';
import type { ImageVerification, VerifyOptions } from '../lambda/verify/types';
import type { BenchImage } from './signed-images';

/** The CLI's and the default policy's transparency-log mode; no Rekor key is needed for these signatures. */
export function verifyOptions(key: TrustedKey): VerifyOptions {
  return { keys: [key], tlog: { mode: 'verify-if-present', rekorKeys: [] } };
}

export function refOf(image: BenchImage): ImageReference {
  return parseImageReference(image.pinned);
}

/** A figure over verifications that failed would be meaningless: stop the bench instead. */
export function mustVerify(verdict: ImageVerification, image: BenchImage): void {
  if (!verdict.verified) {
    throw new Error(`bench image ${image.pinned} did not verify: ${verdict.reason} ${verdict.message}`);
  }
}
