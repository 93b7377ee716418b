/**
 * The digests the deployment hook approved for a service revision, per container, kept in the guard's
 * ledger table (partition key `taskArn`, TTL attribute `expiresAt`) under the key
 * `revision#<revisionArn>`: one item per revision, so the event path reads a revision's approvals
 * with one GetItem. The hook writes it when it lets a revision roll out; the event path reads it for
 * a service task it tied to that revision and records whether the task runs another digest (the tag
 * moved between the hook and the pull). The approval never replaces verifying the task's own digest.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sender } from '../aws/lazy-client';
import { DIGEST_RE } from '../events/schema';

/** Where the approved digest came from: the revision itself, a digest pinned in the image, or the tag resolved at rollout. */
export type ApprovedDigestSource = 'serviceRevision' | 'reference' | 'resolved';

export interface ApprovedDigest {
  digest: string;
  source: ApprovedDigestSource;
}

export interface ApprovedDigestReader {
  /** Container name → approved digest; empty when the hook approved nothing for the revision. */
  read(revisionArn: string): Promise<ReadonlyMap<string, ApprovedDigest>>;
}

export interface ApprovedDigestStore extends ApprovedDigestReader {
  /** Records the approval (replacing an earlier one of the same revision: the latest rollout decision wins). */
  write(
    revisionArn: string,
    approved: ReadonlyMap<string, ApprovedDigest>,
    decisionId: string,
  ): Promise<void>;
}

export const APPROVED_KEY_PREFIX = 'revision#';
/** Kept as long as a revision's tasks are commonly replaced; after it, tasks are only verified on their own. */
export const APPROVED_TTL_DAYS = 90;

const SOURCES: readonly ApprovedDigestSource[] = ['serviceRevision', 'reference', 'resolved'];
const dynamodb = () => import('@aws-sdk/client-dynamodb');

export class DynamoApprovedDigests implements ApprovedDigestStore {
  constructor(
    private readonly client: Sender<DynamoDBClient>,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async write(
    revisionArn: string,
    approved: ReadonlyMap<string, ApprovedDigest>,
    decisionId: string,
  ): Promise<void> {
    const { PutItemCommand } = await dynamodb();
    const containers: Record<string, AttributeValue> = {};
    for (const [name, a] of approved)
      containers[name] = { M: { digest: { S: a.digest }, source: { S: a.source } } };
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          taskArn: { S: `${APPROVED_KEY_PREFIX}${revisionArn}` },
          revisionArn: { S: revisionArn },
          approvedBy: { S: decisionId },
          approvedAt: { S: new Date(this.now()).toISOString() },
          containers: { M: containers },
          expiresAt: { N: String(Math.floor(this.now() / 1000) + APPROVED_TTL_DAYS * 86_400) },
        },
      }),
    );
  }

  async read(revisionArn: string): Promise<ReadonlyMap<string, ApprovedDigest>> {
    const { GetItemCommand } = await dynamodb();
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { taskArn: { S: `${APPROVED_KEY_PREFIX}${revisionArn}` } },
        ConsistentRead: true,
      }),
    );
    const approved = new Map<string, ApprovedDigest>();
    for (const [name, value] of Object.entries(out.Item?.containers?.M ?? {})) {
      const digest = value.M?.digest?.S;
      const source = value.M?.source?.S as ApprovedDigestSource | undefined;
      // Only well-formed entries: the item is ours, but a hand-edited one must not become a comparison.
      if (digest && DIGEST_RE.test(digest) && source && SOURCES.includes(source))
        approved.set(name, { digest, source });
    }
    return approved;
  }
}

/** Process-local store (the CLI, tests). */
export class InMemoryApprovedDigests implements ApprovedDigestStore {
  readonly revisions = new Map<string, ReadonlyMap<string, ApprovedDigest>>();

  async write(revisionArn: string, approved: ReadonlyMap<string, ApprovedDigest>): Promise<void> {
    this.revisions.set(revisionArn, new Map(approved));
  }

  async read(revisionArn: string): Promise<ReadonlyMap<string, ApprovedDigest>> {
    return this.revisions.get(revisionArn) ?? new Map();
  }
}
