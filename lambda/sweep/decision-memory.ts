/**
 * The durable memory of final decisions (final-decision.ts), in the ledger's DynamoDB table under its
 * own key prefix `final#<taskArn>`, so the ledger's items (`<taskArn>`, `group#…`) are never touched.
 * The event path writes it after a final decision; the sweep reads it in batches to skip tasks already
 * decided under the current policy, and writes what it decided.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sender } from '../aws/lazy-client';
import type { FinalDecision } from './final-decision';

export const MEMORY_KEY_PREFIX = 'final#';
/** BatchGetItem reads at most 100 keys per call. */
export const MEMORY_BATCH_SIZE = 100;
/** Unprocessed keys (throttling) are asked again this many times; then they read as "unknown". */
const UNPROCESSED_RETRIES = 2;
const MAX_DIGESTS = 100;
const MAX_GROUPS = 100;

export interface DecisionMemory {
  /** The final decisions known for these tasks; a task absent from the map has none (or it was unreadable). */
  read(taskArns: readonly string[]): Promise<Map<string, FinalDecision>>;
  write(decision: FinalDecision): Promise<void>;
}

const dynamodb = () => import('@aws-sdk/client-dynamodb');

export class DynamoDecisionMemory implements DecisionMemory {
  constructor(
    private readonly client: Sender<DynamoDBClient>,
    private readonly tableName: string,
    /** Kept a little longer than the longest re-check age; a stopped task's item then expires. */
    private readonly ttlDays = 35,
  ) {}

  async read(taskArns: readonly string[]): Promise<Map<string, FinalDecision>> {
    const { BatchGetItemCommand } = await dynamodb();
    const found = new Map<string, FinalDecision>();
    const unique = [...new Set(taskArns)];
    for (let i = 0; i < unique.length; i += MEMORY_BATCH_SIZE) {
      let keys: Record<string, AttributeValue>[] = unique
        .slice(i, i + MEMORY_BATCH_SIZE)
        .map((arn) => ({ taskArn: { S: MEMORY_KEY_PREFIX + arn } }));
      for (let attempt = 0; keys.length > 0 && attempt <= UNPROCESSED_RETRIES; attempt++) {
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const decision = fromItem(item);
          if (decision) found.set(decision.taskArn, decision);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
      // Keys still unprocessed read as "no final decision": the task is decided again, never skipped.
    }
    return found;
  }

  async write(decision: FinalDecision): Promise<void> {
    const { PutItemCommand } = await dynamodb();
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          taskArn: { S: MEMORY_KEY_PREFIX + decision.taskArn },
          policySha256: { S: decision.policySha256 },
          decidedAt: { N: String(decision.decidedAt) },
          digests: { S: JSON.stringify(decision.digests) },
          outcome: { S: decision.outcome },
          fingerprint: { S: decision.fingerprint },
          alertGroups: { S: JSON.stringify(decision.alertGroups) },
          ...(decision.validUntil === undefined ? {} : { validUntil: { N: String(decision.validUntil) } }),
          expiresAt: { N: String(Math.floor(decision.decidedAt / 1000) + this.ttlDays * 86_400) },
        },
      }),
    );
  }
}

/** An item as written by `write`; anything else (a damaged or foreign item) reads as "unknown". */
function fromItem(item: Record<string, AttributeValue>): FinalDecision | undefined {
  const key = item.taskArn?.S;
  const decidedAt = Number(item.decidedAt?.N);
  const outcome = item.outcome?.S;
  const policySha256 = item.policySha256?.S;
  const fingerprint = item.fingerprint?.S;
  if (
    key === undefined ||
    !key.startsWith(MEMORY_KEY_PREFIX) ||
    !Number.isFinite(decidedAt) ||
    (outcome !== 'pass' && outcome !== 'fail') ||
    policySha256 === undefined ||
    fingerprint === undefined
  )
    return undefined;
  const digests = parseStringMap(item.digests?.S);
  const alertGroups = parseStringList(item.alertGroups?.S);
  const validUntil = item.validUntil === undefined ? undefined : Number(item.validUntil.N);
  if (digests === undefined || alertGroups === undefined) return undefined;
  if (validUntil !== undefined && !Number.isFinite(validUntil)) return undefined;
  return {
    taskArn: key.slice(MEMORY_KEY_PREFIX.length),
    policySha256,
    decidedAt,
    digests,
    outcome,
    fingerprint,
    alertGroups,
    ...(validUntil === undefined ? {} : { validUntil }),
  };
}

function parseStringMap(text: string | undefined): Record<string, string> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    if (entries.length > MAX_DIGESTS || entries.some(([, v]) => typeof v !== 'string')) return undefined;
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function parseStringList(text: string | undefined): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    if (!Array.isArray(value) || value.length > MAX_GROUPS || value.some((v) => typeof v !== 'string'))
      return undefined;
    return value as string[];
  } catch {
    return undefined;
  }
}

/** Process-local memory for the CLI, tests and the bench; same semantics, no durability. */
export class InMemoryDecisionMemory implements DecisionMemory {
  readonly decisions = new Map<string, FinalDecision>();
  reads = 0;
  writes = 0;

  async read(taskArns: readonly string[]): Promise<Map<string, FinalDecision>> {
    this.reads += Math.ceil(new Set(taskArns).size / MEMORY_BATCH_SIZE);
    const found = new Map<string, FinalDecision>();
    for (const arn of taskArns) {
      const d = this.decisions.get(arn);
      if (d) found.set(arn, structuredClone(d));
    }
    return found;
  }

  async write(decision: FinalDecision): Promise<void> {
    this.writes += 1;
    this.decisions.set(decision.taskArn, structuredClone(decision));
  }
}
