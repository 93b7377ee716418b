/**
 * The verify step for one container whose digest is chosen and whose rules are known: load the rules'
 * keys, ask the verifier (retrying a verification that could not complete, within the caller's
 * deadline), and report what was found. It decides nothing: the decide step turns this into an outcome.
 */
import { sleep } from '../aws/retry';
import type { RekorKey } from '../cosign/types';
import { notationRecordOf } from '../decision/record';
import type { NotationRecord } from '../decision/types';
import { toGuardError } from '../errors';
import type { KeyRing } from '../guard/key-ring';
import type { TrustedKey } from '../keys/types';
import { requiredKeys, tlogModeFor, type VerificationSummary } from '../policy/evaluate';
import type { Policy, Rule } from '../policy/schema';
import { ReasonCode } from '../reasons';
import type { ImageReference } from '../reference/types';
import type { ImageVerifier } from '../verify/image-verifier';
import type { ImageVerification } from '../verify/types';

export interface VerifyStepDeps {
  policy: Policy;
  policySha256: string;
  verifier: Pick<ImageVerifier, 'verify'>;
  keyRing: KeyRing;
  rekorKeys: RekorKey[];
  /** Extra attempts for a verification that could not complete, within the caller's deadline. */
  retries?: number;
  retryDelayMs?: number;
}

export interface VerifyStepResult {
  summary: VerificationSummary;
  /** Keys that could not be loaded (`name: why`): a denial is then undecidable, not a denial. */
  keyFailures: string[];
  signaturesFound: number;
  cached: boolean;
  /** The Notation part, for the record and the alert, when the rules trust a Notation signer. */
  notation?: NotationRecord;
}

export async function verifyContainer(
  pinned: ImageReference,
  rules: readonly Rule[],
  deps: VerifyStepDeps,
  signal?: AbortSignal,
): Promise<VerifyStepResult> {
  const names = requiredKeys(rules);
  const loaded = await Promise.allSettled(
    names.map((n) => deps.keyRing.resolve([n]).then((k) => k[0] as TrustedKey)),
  );
  const keys = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const keyFailures = loaded.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]}: ${toGuardError(r.reason).message}`] : [],
  );
  if (keys.length === 0) {
    return {
      summary: {
        verifiedKeys: [],
        reason: ReasonCode.KEY_UNAVAILABLE,
        message: `no trusted key could be loaded (${keyFailures.join('; ')})`,
        error: true,
      },
      keyFailures,
      signaturesFound: 0,
      cached: false,
    };
  }

  const tlog = { mode: tlogModeFor(deps.policy, rules), rekorKeys: deps.rekorKeys };
  let verification: ImageVerification | undefined;
  for (let attempt = 0; attempt <= (deps.retries ?? 1); attempt++) {
    if (attempt > 0) {
      try {
        await sleep(deps.retryDelayMs ?? 500, signal);
      } catch {
        break; // the deadline passed while waiting: the last (failed) verification stands
      }
    }
    verification = await deps.verifier.verify(pinned, {
      keys,
      tlog,
      signal,
      policySha256: deps.policySha256,
    });
    if (!verification.error || signal?.aborted) break;
  }
  const v = verification as ImageVerification;
  const notation = notationRecordOf(v);
  return {
    summary: summaryOf(v),
    keyFailures,
    signaturesFound: v.signatures.filter((s) => s.reason !== ReasonCode.NOT_A_SIGNATURE).length,
    cached: v.cached,
    ...(notation ? { notation } : {}),
  };
}

export function summaryOf(v: ImageVerification): VerificationSummary {
  return { verifiedKeys: v.verifiedKeys, reason: v.reason, message: v.message, error: v.error };
}
