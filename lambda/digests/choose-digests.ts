/**
 * The digest step: which digest of each container is judged. The digest that runs, from the most to
 * the least direct witness:
 *   1. event           the event's `imageDigest` (what ECS pulled), else a digest pinned in the image
 *                      reference itself (ECS pulls exactly that); the event's digest wins over the pin;
 *   2. describeTasks   what DescribeTasks reports for the task now (Fargate reports it after the pull);
 *   3. serviceRevision for a service task, the digest ECS pinned in its service revision (software
 *                      version consistency), only when the task ties to exactly one revision;
 *   4. resolved        the tag resolved in the registry by the guard: NOT proof of what runs. A decision
 *                      on it never stops the task and is never final (DIGEST_UNCONFIRMED).
 * An AWS lookup that fails is no answer and the next source is tried; it is never a pass.
 */
import type { TaskIdentity, TaskLookups } from '../ecs/task-lookups';
import type { ApprovedDigest, ApprovedDigestReader } from '../hook/approved-digests';
import type { ImageReference } from '../reference/types';
import type { ImageVerifier } from '../verify/image-verifier';
import type { ImageVerification } from '../verify/types';

import type { DigestSource } from '../decision/types';
export type { DigestSource };

export type DigestChoice =
  | { digest: string; source: DigestSource }
  /** No source named a digest and the tag could not be resolved: an unfinished verdict, never a pass. */
  | { failure: ImageVerification };

export interface DigestWanted {
  name: string;
  ref: ImageReference;
  /** The event's `imageDigest` for this container. */
  eventDigest?: string;
}

export interface DigestDeps {
  lookups: TaskLookups;
  verifier: Pick<ImageVerifier, 'resolveDigest'>;
}

export async function chooseDigests(
  task: TaskIdentity,
  wanted: readonly DigestWanted[],
  deps: DigestDeps,
  signal?: AbortSignal,
): Promise<Map<string, DigestChoice>> {
  const chosen = new Map<string, DigestChoice>();
  const missing = (): DigestWanted[] => wanted.filter((w) => !chosen.has(w.name));

  for (const w of wanted) {
    const digest = w.eventDigest ?? w.ref.digest;
    if (digest) chosen.set(w.name, { digest, source: 'event' });
  }
  if (missing().length > 0) {
    const described = await orEmpty(deps.lookups.describedDigests(task, signal));
    take(chosen, missing(), described, 'describeTasks');
  }
  if (missing().length > 0 && task.service !== undefined) {
    const pinned = await orEmpty(deps.lookups.serviceRevisionDigests(task, signal));
    take(chosen, missing(), pinned, 'serviceRevision');
  }
  await Promise.all(
    missing().map(async (w) => {
      const resolved = await deps.verifier.resolveDigest(w.ref, signal);
      chosen.set(
        w.name,
        'failure' in resolved
          ? { failure: resolved.failure }
          : { digest: resolved.digest, source: 'resolved' },
      );
    }),
  );
  return chosen;
}

function take(
  chosen: Map<string, DigestChoice>,
  missing: readonly DigestWanted[],
  found: ReadonlyMap<string, string>,
  source: DigestSource,
): void {
  for (const w of missing) {
    const digest = found.get(w.name);
    if (digest !== undefined) chosen.set(w.name, { digest, source });
  }
}

async function orEmpty(lookup: Promise<Map<string, string>>): Promise<Map<string, string>> {
  try {
    return await lookup;
  } catch {
    return new Map();
  }
}

/**
 * The digests the deployment hook approved for the task's service revision (container name → approval):
 * empty for a task that is not a service task, that ties to no single revision, or whose revision the
 * hook did not approve. Only a comparison for the record (the task's own digest is verified either
 * way), so a lookup that fails is "no approval known", never a pass or a failure.
 */
export async function approvedDigestsFor(
  task: TaskIdentity,
  deps: { lookups: TaskLookups; approved?: ApprovedDigestReader },
  signal?: AbortSignal,
): Promise<ReadonlyMap<string, ApprovedDigest>> {
  if (!deps.approved || task.service === undefined || !deps.lookups.serviceRevisionArn) return new Map();
  try {
    const revisionArn = await deps.lookups.serviceRevisionArn(task, signal);
    return revisionArn === undefined ? new Map() : await deps.approved.read(revisionArn);
  } catch {
    return new Map();
  }
}
