/**
 * The hook's route for one service revision, on the same steps as a task's (guard/evaluate-task.ts):
 *
 *   identify (policy/aws-injected)             → which containers can be judged at all
 *   digest   (here, the rollout's own order)   → the revision's digest → the digest pinned in the image
 *                                                reference → the tag resolved now
 *   match    (policy/evaluate)                 → trusted images, rules: cluster, service and family
 *                                                from the revision's ARNs, as for tasks
 *   verify   (signatures/verify-container)
 *   decide   (decision/decide-container, decide-task)
 *
 * Unlike the event path, a digest the hook resolved from the tag is NOT unconfirmed: before the first
 * task pulls, the tag's current digest is the best evidence there is (ECS resolves the same tag when
 * it starts the revision's first task), so a deny on it may fail the rollout. The event path still
 * verifies the digest each task reports, and says when it differs from the one approved here.
 */
import { decideContainer, type ContainerFindings } from '../decision/decide-container';
import { decideTask, type TaskDecision } from '../decision/decide-task';
import type { ContainerResult } from '../decision/record';
import type { DigestSource } from '../decision/types';
import { toGuardError } from '../errors';
import { taskDefinitionOf } from '../events/arns';
import type { TaskEvaluatorDeps } from '../guard/evaluate-task';
import { injectedContainerOf, mayBeInjected } from '../policy/aws-injected';
import { matchContainer, rulesForAnyImage, type MatchTarget } from '../policy/evaluate';
import { ReasonCode } from '../reasons';
import { formatReference, parseImageReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import { summaryOf, verifyContainer } from '../signatures/verify-container';
import type { ApprovedDigestSource } from './approved-digests';
import { clusterArnOf, serviceArnParts, serviceRevisionArnParts } from './arns';
import type { RevisionContainer, ServiceRevision } from './service-revision';

/** Where the revision runs, as the policy matches it. */
export interface RevisionTarget {
  clusterArn: string;
  clusterName: string;
  service: string;
  taskDefinitionFamily?: string;
  region: string;
}

export interface RevisionEvaluation {
  target: RevisionTarget;
  containers: ContainerResult[];
  decision: TaskDecision;
}

/** Reasons that may clear up by asking again later: the hook answers IN_PROGRESS on them (within its bound). */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set([
  ReasonCode.REGISTRY_UNAVAILABLE,
  ReasonCode.KEY_UNAVAILABLE,
  ReasonCode.TIMEOUT,
]);

/** The revision's cluster and service from its ARNs (the revision's own, else the payload's), family from its task definition. */
export function revisionTarget(
  revision: Pick<ServiceRevision, 'arn' | 'serviceArn' | 'taskDefinitionArn'>,
): RevisionTarget | undefined {
  const parts = serviceArnParts(revision.serviceArn) ?? serviceRevisionArnParts(revision.arn);
  if (!parts) return undefined;
  const family = revision.taskDefinitionArn
    ? taskDefinitionOf(revision.taskDefinitionArn)?.family
    : undefined;
  return {
    clusterArn: clusterArnOf(parts),
    clusterName: parts.cluster,
    service: parts.service,
    region: parts.region,
    ...(family !== undefined ? { taskDefinitionFamily: family } : {}),
  };
}

function matchTarget(target: RevisionTarget, image: string): MatchTarget {
  return {
    image,
    clusterArn: target.clusterArn,
    clusterName: target.clusterName,
    service: target.service,
    ...(target.taskDefinitionFamily !== undefined
      ? { taskDefinitionFamily: target.taskDefinitionFamily }
      : {}),
  };
}

/** The rules that would apply to any image of this revision (for a failure before any image is known). */
export function rulesForRevision(deps: Pick<TaskEvaluatorDeps, 'policy'>, target: RevisionTarget) {
  const { image: _image, ...where } = matchTarget(target, '');
  return rulesForAnyImage(deps.policy, where);
}

export async function evaluateRevision(
  revision: ServiceRevision,
  target: RevisionTarget,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<RevisionEvaluation> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const trustInjected = deps.policy.awsInjectedContainers !== 'verify';
  // Read only when a container without an image is named like an AWS agent (cached per task definition).
  const defined =
    trustInjected && revision.containers.some((c) => c.image === undefined && mayBeInjected(c.name))
      ? await deps.lookups.definedContainers(revision.taskDefinitionArn, signal).catch(() => undefined)
      : undefined;

  const containers = await Promise.all(
    revision.containers.map(async (c, index): Promise<ContainerResult> => {
      const judged = await judge(c, index, target, defined, deps, signal);
      return {
        name: c.name || `containerImages[${index}]`,
        ...(c.image !== undefined ? { image: c.image } : {}),
        ...(judged.digest ? { digest: judged.digest.digest, digestSource: judged.digest.source } : {}),
        decision: decideContainer(deps.policy, judged.findings),
        signaturesFound: judged.signaturesFound,
        cached: judged.cached,
        durationMs: now() - started,
      };
    }),
  );
  return {
    target,
    containers,
    decision: decideTask(
      deps.policy,
      containers.map((c) => c.decision),
    ),
  };
}

interface Judged {
  findings: ContainerFindings;
  digest?: { digest: string; source: DigestSource };
  signaturesFound: number;
  cached: boolean;
}

async function judge(
  c: RevisionContainer,
  index: number,
  target: RevisionTarget,
  defined: ReadonlySet<string> | undefined,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<Judged> {
  const none = { signaturesFound: 0, cached: false };
  const anyImage = () => rulesForRevision(deps, target);
  const pinned = c.imageDigest ? { digest: c.imageDigest, source: 'serviceRevision' as const } : undefined;
  if (!c.name)
    return {
      findings: {
        kind: 'unidentified',
        rules: anyImage(),
        message: `containerImages[${index}] has no container name`,
      },
      ...none,
    };
  if (c.image === undefined) {
    const injected = defined
      ? injectedContainerOf(
          { name: c.name },
          { region: target.region, serviceConnectContainers: [] },
          defined,
        )
      : undefined;
    if (injected)
      return { findings: { kind: 'injected', ...injected }, ...(pinned ? { digest: pinned } : {}), ...none };
    return {
      findings: {
        kind: 'unidentified',
        rules: anyImage(),
        message: `the service revision names no image for container "${c.name}"`,
      },
      ...(pinned ? { digest: pinned } : {}),
      ...none,
    };
  }
  let ref: ImageReference;
  try {
    ref = parseImageReference(c.image);
  } catch (e) {
    return {
      findings: { kind: 'invalid-reference', message: toGuardError(e, ReasonCode.INVALID_REFERENCE).message },
      ...none,
    };
  }
  const asWritten = matchContainer(deps.policy, matchTarget(target, formatReference(ref)));
  // Trusted by tag or name: decided without touching the registry.
  if (asWritten.kind === 'trusted') {
    const known = pinned ?? (ref.digest ? { digest: ref.digest, source: 'reference' as const } : undefined);
    return { findings: { kind: 'matched', match: asWritten }, ...(known ? { digest: known } : {}), ...none };
  }

  let digest: { digest: string; source: DigestSource };
  if (pinned) digest = pinned;
  else if (ref.digest) digest = { digest: ref.digest, source: 'reference' };
  else {
    const resolved = await deps.verifier.resolveDigest(ref, signal);
    if ('failure' in resolved)
      return {
        findings: { kind: 'matched', match: asWritten, digestFailure: summaryOf(resolved.failure) },
        ...none,
      };
    digest = { digest: resolved.digest, source: 'resolved' };
  }
  const withDigest: ImageReference = { ...ref, digest: digest.digest };
  // Matched with the digest that is judged, so digest-pinned patterns see it.
  const match = matchContainer(deps.policy, matchTarget(target, formatReference(withDigest)));
  // No digestSource in the findings: the hook's resolved digest is not "unconfirmed" (see the file's note).
  if (match.kind !== 'rules') return { findings: { kind: 'matched', match }, digest, ...none };
  const verification = await verifyContainer(withDigest, match.rules, deps, signal);
  return {
    findings: { kind: 'matched', match, verification },
    digest,
    signaturesFound: verification.signaturesFound,
    cached: verification.cached,
  };
}

/** The approval source of a judged digest (only the hook's three sources can occur). */
export function approvedSourceOf(source: DigestSource | undefined): ApprovedDigestSource | undefined {
  return source === 'serviceRevision' || source === 'reference' || source === 'resolved' ? source : undefined;
}
