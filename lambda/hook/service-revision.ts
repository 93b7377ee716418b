/**
 * The revision a deployment rolls out, as DescribeServiceRevisions reports it: its cluster, service,
 * task definition and container images (with the digests ECS already established, if any). A call
 * that fails is a `RevisionLookupError` saying whether asking again may help (throttling, a server
 * or network failure) or not (no such revision, access denied): never an empty revision.
 */
import type { DescribeServiceRevisionsCommandOutput, ECSClient } from '@aws-sdk/client-ecs';
import { classifyAwsError, describeAwsError } from '../aws/aws-error';
import type { Sender } from '../aws/lazy-client';
import { GuardError } from '../errors';
import { DIGEST_RE } from '../events/schema';
import { ReasonCode } from '../reasons';

/** Containers of one revision beyond this are an error, not silently dropped. */
export const MAX_REVISION_CONTAINERS = 100;

export interface RevisionContainer {
  name: string;
  /** The image reference of the task definition (may be absent in odd answers: then an error for it). */
  image?: string;
  /** The digest ECS established for the revision (software version consistency), when it has one. */
  imageDigest?: string;
}

export interface ServiceRevision {
  arn: string;
  clusterArn: string;
  serviceArn: string;
  taskDefinitionArn: string;
  containers: RevisionContainer[];
}

export interface ServiceRevisionReader {
  describe(revisionArn: string, signal?: AbortSignal): Promise<ServiceRevision>;
}

/** `retryable`: an IN_PROGRESS answer may get a revision later (AWS_UNAVAILABLE), else it will not. */
export class RevisionLookupError extends GuardError {
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(ReasonCode.REVISION_UNAVAILABLE, message, { retryable, cause });
    this.name = 'RevisionLookupError';
  }
}

export class EcsServiceRevisionReader implements ServiceRevisionReader {
  constructor(private readonly ecs: Sender<ECSClient>) {}

  async describe(revisionArn: string, signal?: AbortSignal): Promise<ServiceRevision> {
    const { DescribeServiceRevisionsCommand } = await import('@aws-sdk/client-ecs');
    let out;
    try {
      out = await this.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] }), {
        abortSignal: signal,
      });
    } catch (e) {
      const { kind } = classifyAwsError(e);
      throw new RevisionLookupError(
        `DescribeServiceRevisions failed: ${describeAwsError(e)}`,
        kind === 'throttled' || kind === 'retryable',
        e,
      );
    }
    return revisionFromDescribed(revisionArn, out ?? {});
  }
}

/** The answer's shape the guard reads (a saved `aws ecs describe-service-revisions` output has it too). */
export type DescribedRevisions = Pick<DescribeServiceRevisionsCommandOutput, 'serviceRevisions' | 'failures'>;

/** The revision `revisionArn` from a DescribeServiceRevisions answer, or why it cannot be read there. */
export function revisionFromDescribed(revisionArn: string, out: DescribedRevisions): ServiceRevision {
  const found = (out.serviceRevisions ?? []).find((r) => r.serviceRevisionArn === revisionArn);
  if (!found) {
    const failure = (out.failures ?? []).find((f) => f.arn === revisionArn) ?? out.failures?.[0];
    throw new RevisionLookupError(
      `DescribeServiceRevisions did not return ${revisionArn}${
        failure ? ` (${failure.reason ?? 'failure'}${failure.detail ? `: ${failure.detail}` : ''})` : ''
      }`,
      false,
    );
  }
  const images = found.containerImages ?? [];
  if (images.length > MAX_REVISION_CONTAINERS)
    throw new RevisionLookupError(
      `the revision lists ${images.length} container images, more than ${MAX_REVISION_CONTAINERS}`,
      false,
    );
  const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (
    !text(found.clusterArn) ||
    !text(found.serviceArn) ||
    !text(found.taskDefinition) ||
    !Array.isArray(images) ||
    images.length === 0
  )
    throw new RevisionLookupError(
      'DescribeServiceRevisions returned a revision without cluster, service, task definition or container images',
      false,
    );
  return {
    arn: revisionArn,
    clusterArn: found.clusterArn,
    serviceArn: found.serviceArn,
    taskDefinitionArn: found.taskDefinition,
    containers: images.map((c) => ({
      name: typeof c.containerName === 'string' ? c.containerName : '',
      ...(typeof c.image === 'string' && c.image.length > 0 ? { image: c.image } : {}),
      ...(typeof c.imageDigest === 'string' && DIGEST_RE.test(c.imageDigest)
        ? { imageDigest: c.imageDigest }
        : {}),
    })),
  };
}

/** Revisions given up front (the CLI runs without AWS: a saved describe-service-revisions output). */
export class GivenServiceRevisions implements ServiceRevisionReader {
  constructor(private readonly described: DescribedRevisions) {}

  async describe(revisionArn: string): Promise<ServiceRevision> {
    return revisionFromDescribed(revisionArn, this.described);
  }
}
