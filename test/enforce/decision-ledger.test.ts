import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_LEASE_MS,
  DynamoDecisionLedger,
  InMemoryDecisionLedger,
  type DecisionLedger,
  type GroupAlertRequest,
} from '../../lambda/enforce/decision-ledger';
import { startLedgerTable, type LedgerTable } from './support/ledger-table';

const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/abc';
const T0 = 1_700_000_000_000;
const LEASE = 30_000;

let table: LedgerTable;
beforeAll(async () => {
  table = await startLedgerTable();
});
afterAll(() => table.stop());

/** A clock the test moves: leases expire without waiting. */
function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

let taskCounter = 0;
const newTask = () => `${TASK}-${++taskCounter}`;

type Factory = (now: () => number) => DecisionLedger;
const implementations: [string, Factory][] = [
  [
    'DynamoDecisionLedger (dynalite)',
    (now) => new DynamoDecisionLedger(table.client, table.tableName, 7, now, { leaseMs: LEASE }),
  ],
  ['InMemoryDecisionLedger', (now) => new InMemoryDecisionLedger(now, { leaseMs: LEASE })],
];

describe.each(implementations)('%s', (_name, make) => {
  it('lets exactly one of concurrent callers claim an action; the others see the live lease', async () => {
    const c = clock();
    const ledger = make(c.now);
    const task = newTask();
    const results = await Promise.all(['a', 'b', 'c'].map((id) => ledger.claim(task, 'stop', id)));
    expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'held')).toEqual([
      expect.objectContaining({ leaseUntil: T0 + LEASE }),
      expect.objectContaining({ leaseUntil: T0 + LEASE }),
    ]);
    // Actions are independent: the alert of the same task is still free.
    expect((await ledger.claim(task, 'alert', 'a')).status).toBe('claimed');
  });

  it('lets a retry take over a claim whose lease expired (the holder died half-way)', async () => {
    const c = clock();
    const ledger = make(c.now);
    const task = newTask();
    expect(await ledger.claim(task, 'stop', 'died')).toMatchObject({ status: 'claimed' });
    c.advance(LEASE - 1);
    expect(await ledger.claim(task, 'stop', 'early-retry')).toMatchObject({ status: 'held', by: 'died' });
    c.advance(2);
    expect(await ledger.claim(task, 'stop', 'retry')).toEqual({
      status: 'claimed',
      leaseUntil: c.now() + LEASE,
    });
  });

  it('answers "done" with the outcome once the action completed, whatever the lease', async () => {
    const c = clock();
    const ledger = make(c.now);
    const task = newTask();
    await ledger.claim(task, 'stop', 'a');
    await ledger.complete(task, 'stop', 'a', 'already-stopped');
    c.advance(10 * LEASE);
    expect(await ledger.claim(task, 'stop', 'b')).toEqual({ status: 'done', outcome: 'already-stopped' });
    // A "FAILED to stop" alert is its own action, not a duplicate of the "Stopped" one.
    await ledger.claim(task, 'alert', 'a');
    await ledger.complete(task, 'alert', 'a', 'sent');
    expect((await ledger.claim(task, 'stop-failed-alert', 'b')).status).toBe('claimed');
  });

  it('releases only its own claim', async () => {
    const c = clock();
    const ledger = make(c.now);
    const task = newTask();
    expect((await ledger.claim(task, 'stop', 'mine')).status).toBe('claimed');
    await ledger.release(task, 'stop', 'someone-else');
    expect((await ledger.claim(task, 'stop', 'other')).status).toBe('held');
    await ledger.release(task, 'stop', 'mine');
    expect((await ledger.claim(task, 'stop', 'retry')).status).toBe('claimed');
  });

  const group = (over: Partial<GroupAlertRequest> = {}): GroupAlertRequest => ({
    groupKey: `group#${taskCounter}`,
    label: 'prod/payments container web sha256:aa',
    taskArn: newTask(),
    decisionId: `d-${taskCounter}`,
    severity: 2,
    windowMs: 3_600_000,
    ...over,
  });

  it('alerts the first task of a group, counts the others in the window, reports the count at the next alert', async () => {
    const c = clock();
    const ledger = make(c.now);
    const key = `group#count-${newTask()}`;
    expect(await ledger.groupAlert(group({ groupKey: key }))).toEqual({ kind: 'alert', counted: 0 });
    c.advance(60_000);
    expect(await ledger.groupAlert(group({ groupKey: key }))).toEqual({
      kind: 'counted',
      count: 1,
      since: T0 + 60_000,
      windowEndsAt: T0 + 3_600_000,
    });
    c.advance(60_000);
    expect(await ledger.groupAlert(group({ groupKey: key }))).toMatchObject({ kind: 'counted', count: 2 });
    expect(await ledger.readGroup(key)).toMatchObject({ counted: 2, countedSince: T0 + 60_000, severity: 2 });
    c.advance(3_600_000);
    expect(await ledger.groupAlert(group({ groupKey: key }))).toEqual({
      kind: 'alert',
      counted: 2,
      since: T0 + 60_000,
    });
    expect(await ledger.readGroup(key)).toMatchObject({ counted: 0 });
  });

  it("hands a closed window's count to exactly one sweep, and the next alert no longer reports it", async () => {
    const c = clock();
    const ledger = make(c.now);
    const key = `group#sweep-${newTask()}`;
    await ledger.groupAlert(group({ groupKey: key }));
    c.advance(1_000);
    await ledger.groupAlert(group({ groupKey: key }));
    await ledger.groupAlert(group({ groupKey: key }));
    expect(await ledger.takeClosedWindowCount(key)).toBeUndefined(); // window still open
    c.advance(3_600_000);
    const taken = await Promise.all([ledger.takeClosedWindowCount(key), ledger.takeClosedWindowCount(key)]);
    expect(taken.filter((t) => t !== undefined)).toEqual([{ counted: 2, since: T0 + 1_000 }]);
    expect(await ledger.groupAlert(group({ groupKey: key }))).toEqual({ kind: 'alert', counted: 0 });
  });

  it('alerts at once for a more severe outcome, and always when forced', async () => {
    const c = clock();
    const ledger = make(c.now);
    const key = `group#severity-${newTask()}`;
    await ledger.groupAlert(group({ groupKey: key, severity: 1 }));
    expect(await ledger.groupAlert(group({ groupKey: key, severity: 0 }))).toMatchObject({ kind: 'counted' });
    expect(await ledger.groupAlert(group({ groupKey: key, severity: 2 }))).toEqual({
      kind: 'alert',
      counted: 1,
      since: T0,
    });
    expect(await ledger.groupAlert(group({ groupKey: key, severity: 2 }))).toMatchObject({ kind: 'counted' });
    expect(await ledger.groupAlert(group({ groupKey: key, severity: 3, force: true }))).toMatchObject({
      kind: 'alert',
    });
    expect(await ledger.groupAlert(group({ groupKey: key, severity: 3, force: true }))).toMatchObject({
      kind: 'alert',
    });
  });

  it('lets exactly one of concurrent first failures of a group alert', async () => {
    const ledger = make(clock().now);
    const key = `group#race-${newTask()}`;
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => ledger.groupAlert(group({ groupKey: key }))),
    );
    expect(decisions.filter((d) => d.kind === 'alert')).toHaveLength(1);
    expect(
      decisions
        .filter((d) => d.kind === 'counted')
        .map((d) => (d.kind === 'counted' ? d.count : 0))
        .sort(),
    ).toEqual([1, 2, 3, 4]);
  });

  it('reopens the window after a failed email, and lets the same task alert again after a crash', async () => {
    const c = clock();
    const ledger = make(c.now);
    const key = `group#failed-${newTask()}`;
    await ledger.groupAlert(group({ groupKey: key }));
    await ledger.groupAlert(group({ groupKey: key }));
    const failing = group({ groupKey: key, severity: 3, force: true });
    const decision = await ledger.groupAlert(failing);
    expect(decision).toEqual({ kind: 'alert', counted: 1, since: T0 });
    await ledger.groupAlertFailed(failing, decision);
    // The next task alerts and still reports the task counted before the failed email.
    const next = group({ groupKey: key });
    expect(await ledger.groupAlert(next)).toEqual({ kind: 'alert', counted: 1, since: T0 });
    // The same task, retried after dying between the window and the email, alerts again.
    expect(await ledger.groupAlert({ ...next, decisionId: 'retry' })).toMatchObject({ kind: 'alert' });
  });
});

describe('DynamoDecisionLedger on the stack table', () => {
  it('treats a claim written before leases existed as expired, and keeps the TTL attribute', async () => {
    const task = newTask();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          taskArn: { S: task },
          stopClaimedBy: { S: 'old-decision' },
          stopClaimedAt: { S: '2026-11-01T00:00:00.000Z' },
          expiresAt: { N: '1800000000' },
        },
      }),
    );
    const ledger = new DynamoDecisionLedger(table.client, table.tableName, 7, () => T0);
    expect(await ledger.claim(task, 'stop', 'new')).toEqual({
      status: 'claimed',
      leaseUntil: T0 + DEFAULT_LEASE_MS,
    });
    const item = (
      await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { taskArn: { S: task } } }),
      )
    ).Item;
    expect(item).toMatchObject({
      stopClaimedBy: { S: 'new' },
      stopLeaseUntil: { N: String(T0 + DEFAULT_LEASE_MS) },
      expiresAt: { N: String(T0 / 1000 + 7 * 86_400) },
    });
  });

  it('propagates other DynamoDB failures (never a silent pass)', async () => {
    const ledger = new DynamoDecisionLedger(table.client, 'no-such-table', 7);
    await expect(ledger.claim(TASK, 'stop', 'x')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
