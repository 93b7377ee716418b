import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sender } from '../aws/lazy-client';

/** Loaded on first use: only a task that is stopped or alerted on needs the ledger. */
const dynamodb = () => import('@aws-sdk/client-dynamodb');

/** `stop-failed-alert` is its own action: a "FAILED to stop" email is never a duplicate of "Stopped". */
export type LedgerAction = 'stop' | 'alert' | 'stop-failed-alert';

export type ClaimOutcome =
  /** This caller holds the action until `leaseUntil`, then a retry may take it over. */
  | { status: 'claimed'; leaseUntil: number }
  /** The action was carried out; `outcome` is what `complete` recorded. */
  | { status: 'done'; outcome: string }
  /** Another invocation holds a live lease on the action. */
  | { status: 'held'; by: string; leaseUntil: number };

/** The group's state, as one alert of the group needs to tell it. */
export interface GroupAlertRequest {
  groupKey: string;
  /** Human-readable group, kept on the item for a later sweep. */
  label: string;
  taskArn: string;
  decisionId: string;
  severity: number;
  windowMs: number;
  /** Alert even within the window (a "FAILED to stop" is never only counted). */
  force?: boolean;
}

export type GroupDecision =
  /**
   * This task alerts now. `counted` tasks of the group were counted, not emailed, `since` (epoch ms)
   * the group's previous email: this email reports them.
   */
  | { kind: 'alert'; counted: number; since?: number }
  /** Within the window of an email at least as severe: counted (`count` so far), not emailed. */
  | { kind: 'counted'; count: number; since: number; windowEndsAt: number };

/** The group state a later sweep reads to report counts of windows that closed without a new email. */
export interface GroupState {
  groupKey: string;
  label?: string;
  windowEndsAt: number;
  severity: number;
  counted: number;
  countedSince?: number;
  alertTask?: string;
}

/**
 * Remembers, across concurrent Lambda instances, which task was already stopped or alerted on
 * (EventBridge and Lambda deliver at least once, so the same task arrives several times), and the
 * alert state of each group of tasks.
 *
 * An action is claimed with a lease before it is carried out and marked done after: an invocation
 * that dies half-way (timeout, out of memory, hung socket) leaves a claim whose lease expires, and
 * the retry takes it over instead of skipping the action.
 */
export interface DecisionLedger {
  /** Claims `action` for the task: free, done, or held by someone else's live lease. */
  claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<ClaimOutcome>;
  /** Marks the action done, with what happened (`stopped`, `sent`, ...); later claims answer `done`. */
  complete(taskArn: string, action: LedgerAction, decisionId: string, outcome: string): Promise<void>;
  /** Gives the claim back after the action failed, so a retry can perform it. */
  release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void>;
  /** Decides, for all concurrent invocations at once, whether this task's alert is emailed or counted. */
  groupAlert(request: GroupAlertRequest): Promise<GroupDecision>;
  /** Undoes `groupAlert`'s "alert" after the email could not be sent, so the next task alerts. */
  groupAlertFailed(request: GroupAlertRequest, decision: GroupDecision): Promise<void>;
  /** The group's state (for a sweep that reports the count of a window that closed), if any. */
  readGroup(groupKey: string): Promise<GroupState | undefined>;
  /**
   * For a sweep: when the group's window has closed with tasks counted and not yet reported, takes
   * the count (exactly one caller gets it, the next alert of the group no longer reports it).
   */
  takeClosedWindowCount(groupKey: string): Promise<{ counted: number; since: number } | undefined>;
}

/**
 * Lease default: a little above the default function timeout (60 s). A claim older than the lease
 * belongs to an invocation that is gone; the deployment sets it from the function's timeout.
 */
export const DEFAULT_LEASE_MS = 90_000;

export interface LedgerOptions {
  /** How long a claim protects an action in progress. Default `DEFAULT_LEASE_MS`. */
  leaseMs?: number;
}

interface ActionAttributes {
  claim: string;
  at: string;
  lease: string;
  done: string;
}

/** Attribute names of an action; `stopClaimedBy`/`alertClaimedBy` are those of the first ledger. */
const ATTRIBUTES: Record<LedgerAction, ActionAttributes> = {
  stop: { claim: 'stopClaimedBy', at: 'stopClaimedAt', lease: 'stopLeaseUntil', done: 'stopDone' },
  alert: { claim: 'alertClaimedBy', at: 'alertClaimedAt', lease: 'alertLeaseUntil', done: 'alertDone' },
  'stop-failed-alert': {
    claim: 'stopFailedAlertClaimedBy',
    at: 'stopFailedAlertClaimedAt',
    lease: 'stopFailedAlertLeaseUntil',
    done: 'stopFailedAlertDone',
  },
};

type Values = Record<string, AttributeValue>;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const num = (value: AttributeValue | undefined): number | undefined =>
  value?.N !== undefined ? Number(value.N) : undefined;

/**
 * DynamoDB-backed ledger: the stack's table (partition key `taskArn`, TTL attribute `expiresAt`);
 * one item per task, and one per alert group under the key `group#<hash>`. Every decision is a
 * conditional write, so concurrent Lambdas agree. Items written before leases existed (a claim
 * without `…LeaseUntil`) count as expired.
 */
export class DynamoDecisionLedger implements DecisionLedger {
  private readonly leaseMs: number;

  constructor(
    private readonly client: Sender<DynamoDBClient>,
    private readonly tableName: string,
    private readonly ttlDays = 7,
    private readonly now: () => number = Date.now,
    options: LedgerOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<ClaimOutcome> {
    const a = ATTRIBUTES[action];
    // Between the failed condition and the read, the holder may finish or its lease may expire: try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const leaseUntil = now + this.leaseMs;
      const claimed = await this.conditionalUpdate(taskArn, {
        update: 'SET #claim = :id, #at = :at, #lease = :lease, expiresAt = :exp',
        condition:
          'attribute_not_exists(#done) AND (attribute_not_exists(#claim) OR attribute_not_exists(#lease) OR #lease < :now)',
        names: { '#claim': a.claim, '#at': a.at, '#lease': a.lease, '#done': a.done },
        values: {
          ':id': S(decisionId),
          ':at': S(new Date(now).toISOString()),
          ':lease': N(leaseUntil),
          ':now': N(now),
          ':exp': N(this.expiresAt(now)),
        },
      });
      if (claimed) return { status: 'claimed', leaseUntil };
      const item = await this.getItem(taskArn);
      const done = item?.[a.done]?.S;
      if (done !== undefined) return { status: 'done', outcome: done };
      const lease = num(item?.[a.lease]);
      const by = item?.[a.claim]?.S;
      if (by !== undefined && lease !== undefined && lease >= this.now()) {
        return { status: 'held', by, leaseUntil: lease };
      }
    }
    throw new Error(`ledger: the ${action} claim of ${taskArn} kept changing under concurrent writers`);
  }

  async complete(taskArn: string, action: LedgerAction, decisionId: string, outcome: string): Promise<void> {
    const a = ATTRIBUTES[action];
    // Unconditional: the action was carried out, whoever holds the claim now.
    await this.update(taskArn, {
      update: 'SET #done = :outcome, #claim = :id, expiresAt = :exp REMOVE #lease',
      names: { '#done': a.done, '#claim': a.claim, '#lease': a.lease },
      values: {
        ':outcome': S(outcome),
        ':id': S(decisionId),
        ':exp': N(this.expiresAt(this.now())),
      },
    });
  }

  async release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void> {
    const a = ATTRIBUTES[action];
    // A failed condition means someone else's claim (or none): nothing of ours to give back.
    await this.conditionalUpdate(taskArn, {
      update: 'REMOVE #claim, #at, #lease',
      condition: '#claim = :id',
      names: { '#claim': a.claim, '#at': a.at, '#lease': a.lease },
      values: { ':id': S(decisionId) },
    });
  }

  async groupAlert(request: GroupAlertRequest): Promise<GroupDecision> {
    const now = this.now();
    const windowEndsAt = now + request.windowMs;
    const open = request.force
      ? undefined
      : // A new window, a more severe outcome, or this very task's alert again (its earlier attempt
        // opened the window and died before the email went out).
        'attribute_not_exists(windowEndsAt) OR windowEndsAt <= :now OR severity < :sev OR alertTask = :task';
    const { UpdateItemCommand } = await dynamodb();
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { taskArn: S(request.groupKey) },
          UpdateExpression:
            'SET windowEndsAt = :end, severity = :sev, alertTask = :task, alertBy = :id, lastAlertAt = :now, counted = :zero, groupLabel = :label, expiresAt = :exp REMOVE countedSince',
          ...(open ? { ConditionExpression: open } : {}),
          ExpressionAttributeValues: {
            ':end': N(windowEndsAt),
            ':sev': N(request.severity),
            ':task': S(request.taskArn),
            ':id': S(request.decisionId),
            ':now': N(now),
            ':zero': N(0),
            ':label': S(request.label),
            ':exp': N(this.expiresAt(windowEndsAt)),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = out.Attributes;
      const counted = num(old?.counted) ?? 0;
      const since = num(old?.countedSince);
      return counted > 0 && since !== undefined
        ? { kind: 'alert', counted, since }
        : { kind: 'alert', counted: 0 };
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { taskArn: S(request.groupKey) },
        UpdateExpression:
          'SET countedSince = if_not_exists(countedSince, :now), expiresAt = :exp ADD counted :one',
        ExpressionAttributeValues: { ':now': N(now), ':one': N(1), ':exp': N(this.expiresAt(windowEndsAt)) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = out.Attributes;
    return {
      kind: 'counted',
      count: num(item?.counted) ?? 1,
      since: num(item?.countedSince) ?? now,
      windowEndsAt: num(item?.windowEndsAt) ?? now,
    };
  }

  async groupAlertFailed(request: GroupAlertRequest, decision: GroupDecision): Promise<void> {
    if (decision.kind !== 'alert') return;
    const restore = decision.counted > 0 && decision.since !== undefined;
    // Close the window this task opened, and give back the count its email would have reported.
    await this.conditionalUpdate(request.groupKey, {
      update: restore
        ? 'SET windowEndsAt = :zero, severity = :zero, countedSince = :since ADD counted :counted'
        : 'SET windowEndsAt = :zero, severity = :zero',
      condition: 'alertTask = :task AND alertBy = :id',
      names: {},
      values: {
        ':zero': N(0),
        ':task': S(request.taskArn),
        ':id': S(request.decisionId),
        ...(restore ? { ':since': N(decision.since as number), ':counted': N(decision.counted) } : {}),
      },
    });
  }

  async readGroup(groupKey: string): Promise<GroupState | undefined> {
    const item = await this.getItem(groupKey);
    if (!item) return undefined;
    return {
      groupKey,
      label: item.groupLabel?.S,
      windowEndsAt: num(item.windowEndsAt) ?? 0,
      severity: num(item.severity) ?? 0,
      counted: num(item.counted) ?? 0,
      countedSince: num(item.countedSince),
      alertTask: item.alertTask?.S,
    };
  }

  async takeClosedWindowCount(groupKey: string): Promise<{ counted: number; since: number } | undefined> {
    const { UpdateItemCommand } = await dynamodb();
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { taskArn: S(groupKey) },
          UpdateExpression: 'SET counted = :zero REMOVE countedSince',
          ConditionExpression: 'windowEndsAt <= :now AND counted > :zero',
          ExpressionAttributeValues: { ':zero': N(0), ':now': N(this.now()) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const counted = num(out.Attributes?.counted) ?? 0;
      return { counted, since: num(out.Attributes?.countedSince) ?? 0 };
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  }

  private expiresAt(fromMs: number): number {
    return Math.floor(fromMs / 1000) + this.ttlDays * 86_400;
  }

  private async getItem(key: string): Promise<Values | undefined> {
    const { GetItemCommand } = await dynamodb();
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { taskArn: S(key) }, ConsistentRead: true }),
    );
    return out.Item;
  }

  private async update(
    key: string,
    expression: { update: string; names: Record<string, string>; values: Values },
  ): Promise<void> {
    const { UpdateItemCommand } = await dynamodb();
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { taskArn: S(key) },
        UpdateExpression: expression.update,
        ...(Object.keys(expression.names).length > 0 ? { ExpressionAttributeNames: expression.names } : {}),
        ExpressionAttributeValues: expression.values,
      }),
    );
  }

  /** One conditional UpdateItem; false when the condition does not hold. */
  private async conditionalUpdate(
    key: string,
    expression: { update: string; condition: string; names: Record<string, string>; values: Values },
  ): Promise<boolean> {
    const { UpdateItemCommand } = await dynamodb();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { taskArn: S(key) },
          UpdateExpression: expression.update,
          ConditionExpression: expression.condition,
          ...(Object.keys(expression.names).length > 0 ? { ExpressionAttributeNames: expression.names } : {}),
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

interface MemoryAction {
  by: string;
  leaseUntil?: number;
  done?: string;
}

/** Process-local ledger for the CLI and single-process use; same semantics, no durability. */
export class InMemoryDecisionLedger implements DecisionLedger {
  private readonly actions = new Map<string, MemoryAction>();
  private readonly groups = new Map<string, GroupState & { alertBy?: string }>();
  private readonly leaseMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    options: LedgerOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async claim(taskArn: string, action: LedgerAction, decisionId: string): Promise<ClaimOutcome> {
    const key = `${action}|${taskArn}`;
    const current = this.actions.get(key);
    const now = this.now();
    if (current?.done !== undefined) return { status: 'done', outcome: current.done };
    if (current?.leaseUntil !== undefined && current.leaseUntil >= now) {
      return { status: 'held', by: current.by, leaseUntil: current.leaseUntil };
    }
    const leaseUntil = now + this.leaseMs;
    this.actions.set(key, { by: decisionId, leaseUntil });
    return { status: 'claimed', leaseUntil };
  }

  async complete(taskArn: string, action: LedgerAction, decisionId: string, outcome: string): Promise<void> {
    this.actions.set(`${action}|${taskArn}`, { by: decisionId, done: outcome });
  }

  async release(taskArn: string, action: LedgerAction, decisionId: string): Promise<void> {
    const key = `${action}|${taskArn}`;
    if (this.actions.get(key)?.by === decisionId) this.actions.delete(key);
  }

  async groupAlert(request: GroupAlertRequest): Promise<GroupDecision> {
    const now = this.now();
    const group = this.groups.get(request.groupKey);
    const opens =
      request.force ||
      !group ||
      group.windowEndsAt <= now ||
      group.severity < request.severity ||
      group.alertTask === request.taskArn;
    if (opens) {
      this.groups.set(request.groupKey, {
        groupKey: request.groupKey,
        label: request.label,
        windowEndsAt: now + request.windowMs,
        severity: request.severity,
        counted: 0,
        alertTask: request.taskArn,
        alertBy: request.decisionId,
      });
      return group && group.counted > 0 && group.countedSince !== undefined
        ? { kind: 'alert', counted: group.counted, since: group.countedSince }
        : { kind: 'alert', counted: 0 };
    }
    group.counted += 1;
    group.countedSince ??= now;
    return {
      kind: 'counted',
      count: group.counted,
      since: group.countedSince,
      windowEndsAt: group.windowEndsAt,
    };
  }

  async groupAlertFailed(request: GroupAlertRequest, decision: GroupDecision): Promise<void> {
    const group = this.groups.get(request.groupKey);
    if (
      decision.kind !== 'alert' ||
      group?.alertTask !== request.taskArn ||
      group.alertBy !== request.decisionId
    )
      return;
    group.windowEndsAt = 0;
    group.severity = 0;
    if (decision.counted > 0 && decision.since !== undefined) {
      group.counted += decision.counted;
      group.countedSince = decision.since;
    }
  }

  async takeClosedWindowCount(groupKey: string): Promise<{ counted: number; since: number } | undefined> {
    const group = this.groups.get(groupKey);
    if (!group || group.windowEndsAt > this.now() || group.counted <= 0) return undefined;
    const taken = { counted: group.counted, since: group.countedSince ?? 0 };
    group.counted = 0;
    delete group.countedSince;
    return taken;
  }

  async readGroup(groupKey: string): Promise<GroupState | undefined> {
    const group = this.groups.get(groupKey);
    if (!group) return undefined;
    const { alertBy: _alertBy, ...state } = group;
    return { ...state };
  }
}
