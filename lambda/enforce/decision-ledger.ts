import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sender } from '../aws/lazy-client';

/** Loaded on first use: only a task that is stopped or alerted on needs the ledger. */
const dynamodb = () => import('@aws-sdk/client-dynamodb');

export type LedgerAction = 'stop' | 'alert';

/**
 * Remembers, across concurrent Lambda instances, which task was already stopped or alerted on:
 * EventBridge and Lambda deliver at least once, so the same task arrives several times.
 */
export interface DecisionLedger {
  /** True when this caller won the right to perform `action` for the task (exactly one caller does). */
  claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<boolean>;
  /** Gives the claim back after the action failed, so a retry can perform it. */
  release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void>;
}

const ATTRIBUTE: Record<LedgerAction, string> = { stop: 'stopClaimedBy', alert: 'alertClaimedBy' };

/** DynamoDB-backed ledger: one item per task, conditional writes, expiring after `ttlDays`. */
export class DynamoDecisionLedger implements DecisionLedger {
  constructor(
    private readonly client: Sender<DynamoDBClient>,
    private readonly tableName: string,
    private readonly ttlDays = 7,
    private readonly now: () => number = Date.now,
  ) {}

  claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<boolean> {
    return this.conditionalUpdate(taskArn, action, {
      update: 'SET #claim = :id, #at = :at, expiresAt = :exp',
      condition: 'attribute_not_exists(#claim)',
      values: {
        ':id': { S: decisionId },
        ':at': { S: new Date(this.now()).toISOString() },
        ':exp': { N: String(Math.floor(this.now() / 1000) + this.ttlDays * 86_400) },
      },
    });
  }

  async release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void> {
    // A failed condition means someone else's claim (or none): nothing of ours to give back.
    await this.conditionalUpdate(taskArn, action, {
      update: 'REMOVE #claim, #at',
      condition: '#claim = :id',
      values: { ':id': { S: decisionId } },
    });
  }

  /** One conditional UpdateItem on the task's item; false when the condition does not hold. */
  private async conditionalUpdate(
    taskArn: string,
    action: LedgerAction,
    expression: { update: string; condition: string; values: Record<string, { S: string } | { N: string }> },
  ): Promise<boolean> {
    try {
      const { UpdateItemCommand } = await dynamodb();
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { taskArn: { S: taskArn } },
          UpdateExpression: expression.update,
          ConditionExpression: expression.condition,
          ExpressionAttributeNames: { '#claim': ATTRIBUTE[action], '#at': `${action}ClaimedAt` },
          ExpressionAttributeValues: expression.values,
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}

/** Process-local ledger for the CLI and single-process use; same semantics, no durability. */
export class InMemoryDecisionLedger implements DecisionLedger {
  private readonly claims = new Map<string, string>();

  async claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<boolean> {
    const key = `${action}|${taskArn}`;
    if (this.claims.has(key)) return false;
    this.claims.set(key, decisionId);
    return true;
  }

  async release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void> {
    const key = `${action}|${taskArn}`;
    if (this.claims.get(key) === decisionId) this.claims.delete(key);
  }
}
