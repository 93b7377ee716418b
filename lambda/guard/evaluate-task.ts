import type { RekorKey } from '../cosign/types';
import { matchTargetOf } from '../decision/match-target';
import { decideTask, type TaskDecision } from '../decision/decide-task';
import type { ContainerResult } from '../decision/record';
import { toGuardError } from '../errors';
import type { TaskContainer, TaskEvent } from '../events/task-event';
import type { TrustedKey } from '../keys/types';
import {
  decideContainer,
  matchContainer,
  requiredKeys,
  tlogModeFor,
  type ContainerDecision,
  type VerificationSummary,
} from '../policy/evaluate';
import type { Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';
import { formatReference, parseImageReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import type { ImageVerifier } from '../verify/image-verifier';
import type { ImageVerification } from '../verify/types';
import type { KeyRing } from './key-ring';

export interface TaskEvaluatorDeps {
  policy: Policy;
  policySha256: string;
  verifier: ImageVerifier;
  keyRing: KeyRing;
  rekorKeys: RekorKey[];
  now?: () => number;
  /** Extra attempts for a verification that could not complete, within the caller's deadline. */
  retries?: number;
  retryDelayMs?: number;
}

export interface TaskEvaluation {
  containers: ContainerResult[];
  decision: TaskDecision;
}

/**
 * The decision for one task, the same for the Lambda and `image-guard check`: every container is
 * matched against the policy and, where a rule applies, its pinned digest is verified. No side effects.
 */
export async function evaluateTask(
  task: TaskEvent,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<TaskEvaluation> {
  const containers = await Promise.all(task.containers.map((c) => evaluateContainer(task, c, deps, signal)));
  return {
    containers,
    decision: decideTask(
      deps.policy,
      containers.map((c) => c.decision),
    ),
  };
}

async function evaluateContainer(
  task: TaskEvent,
  container: TaskContainer,
  deps: TaskEvaluatorDeps,
  signal: AbortSignal | undefined,
): Promise<ContainerResult> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const base = { name: container.name, image: container.image };
  const finish = (decision: ContainerDecision, extra: Partial<ContainerResult> = {}): ContainerResult => ({
    ...base,
    decision,
    signaturesFound: 0,
    cached: false,
    durationMs: now() - started,
    ...extra,
  });

  let ref: ImageReference;
  try {
    ref = parseImageReference(container.image);
  } catch (e) {
    const error = toGuardError(e, ReasonCode.INVALID_REFERENCE);
    // The digest ECS reported is still what runs: recorded, and what a duplicate event is matched on.
    const reported = container.imageDigest
      ? { digest: container.imageDigest, digestSource: 'event' as const }
      : {};
    return finish(unmatchable(deps.policy, ReasonCode.INVALID_REFERENCE, error.message), reported);
  }
  // The digest that runs is the event's; an image pinned in the task definition is the fallback.
  const eventDigest = container.imageDigest ?? ref.digest;
  let pinned: ImageReference = eventDigest ? { ...ref, digest: eventDigest } : ref;

  // Trusted by tag or name: decided without touching the registry.
  let match = matchContainer(
    deps.policy,
    matchTargetOf(task, formatReference(pinned, { withTag: true, withDigest: true })),
  );
  if (match.kind === 'trusted')
    return finish(decideContainer(deps.policy, match), digestFields(pinned, eventDigest));

  if (!eventDigest) {
    const resolved = await deps.verifier.resolveDigest(ref, signal);
    if ('failure' in resolved) return finish(decideContainer(deps.policy, match, summary(resolved.failure)));
    pinned = { ...ref, digest: resolved.digest };
    // Match again: a digest-pinned pattern must see the digest that will be verified.
    match = matchContainer(
      deps.policy,
      matchTargetOf(task, formatReference(pinned, { withTag: true, withDigest: true })),
    );
  }
  const digests = digestFields(pinned, eventDigest);
  if (match.kind !== 'rules') return finish(decideContainer(deps.policy, match), digests);

  const names = requiredKeys(match.rules);
  const loaded = await Promise.allSettled(
    names.map((n) => deps.keyRing.resolve([n]).then((k) => k[0] as TrustedKey)),
  );
  const keys = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const keyFailures = loaded.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]}: ${toGuardError(r.reason).message}`] : [],
  );
  if (keys.length === 0) {
    return finish(
      decideContainer(deps.policy, match, {
        verifiedKeys: [],
        reason: ReasonCode.KEY_UNAVAILABLE,
        message: `no trusted key could be loaded (${keyFailures.join('; ')})`,
        error: true,
      }),
      digests,
    );
  }

  const tlog = { mode: tlogModeFor(deps.policy, match.rules), rekorKeys: deps.rekorKeys };
  let verification: ImageVerification | undefined;
  for (let attempt = 0; attempt <= (deps.retries ?? 1); attempt++) {
    if (attempt > 0) await sleep(deps.retryDelayMs ?? 500, signal);
    verification = await deps.verifier.verify(pinned, {
      keys,
      tlog,
      signal,
      policySha256: deps.policySha256,
    });
    if (!verification.error || signal?.aborted) break;
  }
  const v = verification as ImageVerification;
  let decision = decideContainer(deps.policy, match, summary(v));
  if (keyFailures.length > 0 && decision.outcome === 'deny') {
    // A key we could not load might have verified the image: undecidable, not a denial.
    decision = decideContainer(deps.policy, match, {
      verifiedKeys: v.verifiedKeys,
      reason: ReasonCode.KEY_UNAVAILABLE,
      message: `${v.message}; and some keys could not be loaded (${keyFailures.join('; ')})`,
      error: true,
    });
  }
  return finish(decision, {
    ...digests,
    signaturesFound: v.signatures.filter((s) => s.reason !== ReasonCode.NOT_A_SIGNATURE).length,
    cached: v.cached,
  });
}

function digestFields(pinned: ImageReference, eventDigest: string | undefined): Partial<ContainerResult> {
  if (!pinned.digest) return {};
  return { digest: pinned.digest, digestSource: eventDigest ? 'event' : 'resolved' };
}

function summary(v: ImageVerification): VerificationSummary {
  return { verifiedKeys: v.verifiedKeys, reason: v.reason, message: v.message, error: v.error };
}

/** A container whose image cannot even be named: it cannot match a rule, so it cannot be allowed. */
function unmatchable(policy: Policy, reason: ReasonCode, message: string): ContainerDecision {
  return { outcome: 'deny', reason, message, rules: [], keys: [], mode: policy.mode };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
