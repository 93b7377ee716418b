/**
 * The event's route without side effects, the same for the Lambda and `image-guard check`; each step
 * is its own module and this file only calls them in order:
 *
 *   identify (events/ problems, policy/aws-injected)  → which containers can be judged at all
 *   digests  (digests/choose-digests)                  → event → DescribeTasks → service revision → resolved
 *   match    (policy/evaluate)                         → trusted images, rules
 *   verify   (signatures/verify-container)             → keys, verifier, retries
 *   decide   (decision/decide-container, decide-task)  → per container, then per task
 *
 * Acting (enforce/) and recording (decision/record) are the caller's.
 */
import type { RekorKey } from '../cosign/types';
import { decideContainer, type ContainerFindings } from '../decision/decide-container';
import { decideTask, type TaskDecision } from '../decision/decide-task';
import { matchTargetOf } from '../decision/match-target';
import type { ContainerResult } from '../decision/record';
import type { NotationRecord } from '../decision/types';
import {
  approvedDigestsFor,
  chooseDigests,
  type DigestChoice,
  type DigestSource,
} from '../digests/choose-digests';
import type { ApprovedDigestReader } from '../hook/approved-digests';
import type { RevocationChecker } from '../notation/types';
import type { TaskLookups } from '../ecs/task-lookups';
import { toGuardError } from '../errors';
import type { TaskContainer, TaskEvent } from '../events/task-event';
import { injectedContainerOf, mayBeInjected } from '../policy/aws-injected';
import { matchContainer, rulesForAnyImage } from '../policy/evaluate';
import type { Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';
import { formatReference, parseImageReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import { summaryOf, verifyContainer } from '../signatures/verify-container';
import type { ImageVerifier } from '../verify/image-verifier';
import type { KeyRing } from './key-ring';

export interface TaskEvaluatorDeps {
  policy: Policy;
  policySha256: string;
  verifier: ImageVerifier;
  keyRing: KeyRing;
  rekorKeys: RekorKey[];
  /** DescribeTasks, DescribeTaskDefinition, service revisions. */
  lookups: TaskLookups;
  /** AWS Signer revocation, when a rule names an AWS Signer signer. */
  revocation?: RevocationChecker;
  now?: () => number;
  /** Extra attempts for a verification that could not complete, within the caller's deadline. */
  retries?: number;
  retryDelayMs?: number;
  /** The deployment hook's approvals: a service task's record says whether its digest differs. */
  approved?: ApprovedDigestReader;
}

export interface TaskEvaluation {
  containers: ContainerResult[];
  decision: TaskDecision;
}

/** A container after the identify step: decided already, or a reference to judge. */
type Identified =
  | { container: TaskContainer; findings: ContainerFindings; digest?: ChosenDigest }
  | { container: TaskContainer; ref: ImageReference };

export async function evaluateTask(
  task: TaskEvent,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<TaskEvaluation> {
  const now = deps.now ?? (() => performance.now());
  const started = now();

  const identified = await identify(task, deps, signal);
  const toJudge = identified.filter((i): i is Extract<Identified, { ref: ImageReference }> => 'ref' in i);
  const untrusted = toJudge.filter(
    (i) => matchContainer(deps.policy, targetOf(task, i.ref)).kind !== 'trusted',
  );
  const [digests, approved] = await Promise.all([
    chooseDigests(
      task,
      untrusted.map((i) => ({ name: i.container.name, ref: i.ref, eventDigest: i.container.imageDigest })),
      deps,
      signal,
    ),
    approvedDigestsFor(task, deps, signal),
  ]);

  const containers = await Promise.all(
    identified.map(async (i): Promise<ContainerResult> => {
      const judged =
        'ref' in i
          ? await judge(task, i.container, i.ref, digests.get(i.container.name), deps, signal)
          : undefined;
      const findings = judged?.findings ?? (i as { findings: ContainerFindings }).findings;
      const digest = judged?.digest ?? ('digest' in i ? i.digest : undefined);
      return {
        name: i.container.name,
        ...(i.container.image !== undefined ? { image: i.container.image } : {}),
        ...(digest ? { digest: digest.digest, digestSource: digest.source } : {}),
        decision: decideContainer(deps.policy, findings),
        signaturesFound: judged?.signaturesFound ?? 0,
        cached: judged?.cached ?? false,
        durationMs: now() - started,
        ...(judged?.notation ? { notation: judged.notation } : {}),
        ...(approved.has(i.container.name)
          ? { approvedDigest: (approved.get(i.container.name) as { digest: string }).digest }
          : {}),
      };
    }),
  );
  return {
    containers,
    decision: decideTask(
      deps.policy,
      containers.map((c) => c.decision),
    ),
  };
}

/**
 * Which containers can be judged: a container the event does not describe usably is an error; an
 * AWS-injected agent is trusted (policy permitting); every other one is named by its image reference.
 */
async function identify(
  task: TaskEvent,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<Identified[]> {
  const trustInjected = deps.policy.awsInjectedContainers !== 'verify';
  // The task definition is read only when a container's name could be an agent's (cached per revision).
  const defined =
    trustInjected && task.containers.some((c) => c.problem === undefined && mayBeInjected(c.name))
      ? await deps.lookups.definedContainers(task.taskDefinitionArn, signal).catch(() => undefined)
      : undefined;
  const anyImage = () => rulesForAnyImage(deps.policy, matchTargetOf(task, ''));

  return task.containers.map((container): Identified => {
    const reported = container.imageDigest
      ? { digest: container.imageDigest, source: 'event' as const }
      : undefined;
    if (container.problem !== undefined)
      return { container, findings: { kind: 'unidentified', message: container.problem, rules: anyImage() } };
    const injected = defined ? injectedContainerOf(container, task, defined) : undefined;
    if (injected) return { container, findings: { kind: 'injected', ...injected }, digest: reported };
    if (container.image === undefined) {
      return {
        container,
        findings: {
          kind: 'unidentified',
          rules: anyImage(),
          message: `the event names no image for container "${container.name}"${
            mayBeInjected(container.name)
              ? defined
                ? ' (named like an AWS agent, but not one ECS injected: it is in the task definition or lacks its marks)'
                : trustInjected
                  ? ' (named like an AWS agent, but the task definition could not be read to confirm it)'
                  : ' (AWS-injected containers are verified: awsInjectedContainers: verify)'
              : ''
          }`,
        },
        digest: reported,
      };
    }
    try {
      return { container, ref: parseImageReference(container.image) };
    } catch (e) {
      const error = toGuardError(e, ReasonCode.INVALID_REFERENCE);
      // The digest ECS reported is still what runs: recorded, and what a duplicate event is matched on.
      return { container, findings: { kind: 'invalid-reference', message: error.message }, digest: reported };
    }
  });
}

interface ChosenDigest {
  digest: string;
  source: DigestSource;
}

interface Judged {
  findings: ContainerFindings;
  digest?: ChosenDigest;
  signaturesFound: number;
  cached: boolean;
}

/** Match, then verify the chosen digest where a rule applies. */
async function judge(
  task: TaskEvent,
  container: TaskContainer,
  ref: ImageReference,
  choice: DigestChoice | undefined,
  deps: TaskEvaluatorDeps,
  signal?: AbortSignal,
): Promise<{
  findings: ContainerFindings;
  digest?: Judged['digest'];
  signaturesFound: number;
  cached: boolean;
  notation?: NotationRecord;
}> {
  // Trusted by tag or name: decided without touching the registry (no digest was chosen for it).
  if (choice === undefined) {
    const pinned = container.imageDigest ?? ref.digest;
    return {
      findings: { kind: 'matched', match: matchContainer(deps.policy, targetOf(task, ref)) },
      ...(pinned ? { digest: { digest: pinned, source: 'event' as const } } : {}),
      signaturesFound: 0,
      cached: false,
    };
  }
  if ('failure' in choice) {
    return {
      findings: {
        kind: 'matched',
        match: matchContainer(deps.policy, targetOf(task, ref)),
        digestFailure: summaryOf(choice.failure),
      },
      signaturesFound: 0,
      cached: false,
    };
  }
  const pinned: ImageReference = { ...ref, digest: choice.digest };
  const digest = { digest: choice.digest, source: choice.source };
  // Matched with the digest that is judged, so digest-pinned patterns see it.
  const match = matchContainer(deps.policy, targetOf(task, pinned));
  if (match.kind !== 'rules')
    return {
      findings: { kind: 'matched', match, digestSource: choice.source },
      digest,
      signaturesFound: 0,
      cached: false,
    };
  const verification = await verifyContainer(pinned, match.rules, deps, signal);
  return {
    findings: { kind: 'matched', match, digestSource: choice.source, verification },
    digest,
    signaturesFound: verification.signaturesFound,
    cached: verification.cached,
    ...(verification.notation ? { notation: verification.notation } : {}),
  };
}

function targetOf(task: TaskEvent, ref: ImageReference) {
  return matchTargetOf(task, formatReference(ref, { withTag: true, withDigest: true }));
}
