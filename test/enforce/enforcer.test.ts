import { ECSClient, InvalidParameterException, StopTaskCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { alertGroupKey, groupMemberOf } from '../../lambda/enforce/alert-group';
import {
  DynamoDecisionLedger,
  InMemoryDecisionLedger,
  type DecisionLedger,
} from '../../lambda/enforce/decision-ledger';
import { enforce, type EnforcerDeps } from '../../lambda/enforce/enforcer';
import type { TaskNotice } from '../../lambda/enforce/notice';
import { ReasonCode } from '../../lambda/reasons';
import { startLedgerTable, type LedgerTable } from './support/ledger-table';

const ecsMock = mockClient(ECSClient);
const snsMock = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:image-guard-alerts';
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef';
const notice = (overrides: Partial<TaskNotice> = {}): TaskNotice => baseNotice(overrides);
const DIGEST = 'sha256:' + 'a'.repeat(64);
const T0 = 1_800_000_000_000;
const LEASE = 30_000;

let taskCounter = 0;
const newTaskArn = () =>
  `arn:aws:ecs:eu-west-1:111122223333:task/prod/${(++taskCounter).toString(16).padStart(32, '0')}`;

function baseNotice(overrides: Partial<TaskNotice> = {}): TaskNotice {
  return {
    decisionId: 'd-1',
    action: 'stop',
    mode: 'enforce',
    stopped: true,
    clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
    clusterName: 'prod',
    service: 'payments',
    taskDefinition: 'payments:7',
    taskArn: TASK,
    failing: [
      {
        name: 'web',
        image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments:1.4',
        digest: DIGEST,
        outcome: 'deny',
        reason: ReasonCode.NO_SIGNATURES,
        message: 'no cosign signature found',
        rule: 'prod-ecr',
      },
    ],
    ...overrides,
  };
}

/** A test clock; the injected sleep advances it instead of waiting, and records each wait. */
function clock() {
  let t = T0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => (t += ms),
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

function deps(ledger: DecisionLedger, c = clock(), extra: Partial<EnforcerDeps> = {}): EnforcerDeps {
  return {
    ecs: new ECSClient({}),
    sns: new SNSClient({}),
    topicArn: TOPIC,
    ledger,
    now: c.now,
    retry: { sleep: c.sleep, random: () => 0.5 },
    ...extra,
  };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

let table: LedgerTable;
beforeAll(async () => {
  table = await startLedgerTable();
});
afterAll(() => table.stop());

beforeEach(() => {
  ecsMock.reset();
  snsMock.reset();
  ecsMock.on(StopTaskCommand).callsFake((input: { task?: string; reason?: string }) => ({
    task: {
      taskArn: input.task,
      lastStatus: 'RUNNING',
      desiredStatus: 'STOPPED',
      stoppedReason: input.reason,
    },
  }));
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('enforce', () => {
  it('stops once and alerts once, however often the same task arrives', async () => {
    const d = deps(new InMemoryDecisionLedger());
    const first = await enforce(notice(), d);
    const second = await enforce(notice({ decisionId: 'd-2' }), d);
    expect(first).toMatchObject({ action: 'stopped', stop: 'stopped', alert: 'sent', alertMessageId: 'm-1' });
    expect(second).toMatchObject({ action: 'none', stop: 'duplicate', alert: 'duplicate' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    const input = ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input;
    expect(input.task).toBe(TASK);
    expect(input.cluster).toBe('arn:aws:ecs:eu-west-1:111122223333:cluster/prod');
    expect(input.reason).toContain('"web"');
    expect(input.reason).toContain('NO_SIGNATURES');
    expect(input.reason!.length).toBeLessThanOrEqual(255);
  });

  it('only alerts in audit mode', async () => {
    const result = await enforce(
      notice({ action: 'alert', mode: 'audit', stopped: false }),
      deps(new InMemoryDecisionLedger()),
    );
    expect(result).toMatchObject({ action: 'alerted', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toMatch(/Would have stopped/);
  });

  it('treats a task ECS no longer knows as not running (success) and says so', async () => {
    ecsMock
      .on(StopTaskCommand)
      .rejects(
        new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }),
      );
    await expect(enforce(notice(), deps(new InMemoryDecisionLedger()))).resolves.toMatchObject({
      action: 'stopped',
      stop: 'already-gone',
    });
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toMatch(/Task already stopped/);
  });

  it('records a task that was already stopping for another reason as already stopped, not as a failure', async () => {
    ecsMock.on(StopTaskCommand).resolves({
      task: {
        taskArn: TASK,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
      },
    });
    const result = await enforce(notice(), deps(new InMemoryDecisionLedger()));
    expect(result).toMatchObject({ action: 'stopped', stop: 'already-stopped', alert: 'sent' });
    const publish = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish.Message).toMatch(/already stopped/);
    expect(publish.MessageAttributes?.result?.StringValue).toBe('already-stopped');
  });

  it('retries a throttled StopTask with back-off inside the invocation', async () => {
    ecsMock
      .on(StopTaskCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ task: { taskArn: TASK, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
    const c = clock();
    const result = await enforce(notice(), deps(new InMemoryDecisionLedger(), c));
    expect(result).toMatchObject({ action: 'stopped', stop: 'stopped', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(3);
    expect(c.sleeps).toEqual([100, 200]); // full jitter at 0.5 of 200 ms, then of 400 ms
  });

  it('retries a throttled Publish inside the invocation', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({ MessageId: 'm-2' });
    const result = await enforce(notice(), deps(new InMemoryDecisionLedger()));
    expect(result).toMatchObject({ alert: 'sent', alertMessageId: 'm-2' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('stops retrying at the deadline, gives the stop claim back, and a later retry stops the task', async () => {
    ecsMock.on(StopTaskCommand).rejects(throttled());
    const c = clock();
    const ledger = new InMemoryDecisionLedger(c.now, { leaseMs: LEASE });
    const failure = await enforce(notice(), deps(ledger, c), T0 + 1_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ name: 'EnforcementError', retryable: true, done: { stop: 'failed' } });
    // 200 ms ceiling → 100, 400 → 200, 800 → 400: the next (1600 → 800) would pass the deadline.
    expect(c.sleeps).toEqual([100, 200, 400]);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(4);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);

    ecsMock.reset();
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: TASK, lastStatus: 'RUNNING' } });
    await expect(enforce(notice({ decisionId: 'd-retry' }), deps(ledger, c))).resolves.toMatchObject({
      action: 'stopped',
      alert: 'sent',
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('gives the alert claim back when SNS refuses, and a retry alerts without stopping again', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform SNS:Publish'), {
          name: 'AuthorizationErrorException',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      )
      .resolves({ MessageId: 'm-2' });
    const d = deps(new InMemoryDecisionLedger());
    await expect(enforce(notice(), d)).rejects.toMatchObject({
      message: expect.stringMatching(/SNS Publish failed: AuthorizationErrorException/),
      retryable: true,
      done: { action: 'stopped', stop: 'stopped' },
    });
    const retry = await enforce(notice({ decisionId: 'd-retry' }), d);
    expect(retry).toMatchObject({ stop: 'duplicate', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });
  it('after a failed email, the next task of the group is emailed, not counted', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform SNS:Publish'), {
          name: 'AuthorizationErrorException',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      )
      .resolves({ MessageId: 'm-2' });
    const d = deps(new InMemoryDecisionLedger());
    await expect(enforce(notice({ taskArn: newTaskArn() }), d)).rejects.toMatchObject({ retryable: true });
    await expect(enforce(notice({ taskArn: newTaskArn() }), d)).resolves.toMatchObject({ alert: 'sent' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });
});

describe('enforce when an invocation dies half-way (real DynamoDB semantics)', () => {
  // Each test its own service: the table (and so the alert groups) is shared.
  const notice = (over: Partial<TaskNotice>) => baseNotice({ service: `svc-${over.taskArn}`, ...over });
  const ledgerOn = (c: ReturnType<typeof clock>) =>
    new DynamoDecisionLedger(table.client, table.tableName, 7, c.now, { leaseMs: LEASE });

  it('a process killed after StopTask was sent: the retry still stops the task and alerts once', async () => {
    const c = clock();
    const taskArn = newTaskArn();
    // The first invocation's StopTask never answers (hung socket, then the function times out).
    ecsMock.on(StopTaskCommand).callsFake(() => new Promise(() => {}));
    void enforce(notice({ taskArn }), deps(ledgerOn(c), c));
    // Until the claim is written and StopTask is sent (counted, not timed).
    for (let i = 0; i < 200 && ecsMock.commandCalls(StopTaskCommand).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);

    // Lambda's retry, before the lease expired: it does not stop the task behind the holder's back.
    ecsMock.reset();
    ecsMock.on(StopTaskCommand).resolves({
      task: { taskArn, lastStatus: 'RUNNING', desiredStatus: 'STOPPED', stoppedReason: 'image-guard: …' },
    });
    await expect(
      enforce(
        notice({ taskArn, decisionId: 'd-early' }),
        deps(ledgerOn(c), c, { maxWaitForHolderMs: 5_000 }),
      ),
    ).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/in progress in another invocation/),
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);

    // The next retry, after the lease: takes over, sends StopTask again, alerts once.
    c.advance(LEASE);
    const retry = await enforce(notice({ taskArn, decisionId: 'd-retry' }), deps(ledgerOn(c), c));
    expect(retry).toMatchObject({ action: 'stopped', stop: 'stopped', alert: 'sent' });
    const again = await enforce(notice({ taskArn, decisionId: 'd-late' }), deps(ledgerOn(c), c));
    expect(again).toMatchObject({ action: 'none', stop: 'duplicate', alert: 'duplicate' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toMatch(/Stopped task/);
  });

  it('a process killed after the stop was recorded: the retry does not stop again and alerts once', async () => {
    const c = clock();
    const taskArn = newTaskArn();
    const ledger = ledgerOn(c);
    // Dies right after StopTask answered, before the ledger says "done" (out of memory).
    const dying: DecisionLedger = Object.create(ledger) as DecisionLedger;
    dying.complete = async () => {
      throw new Error('killed');
    };
    await expect(enforce(notice({ taskArn }), deps(dying, c))).rejects.toThrow('killed');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    c.advance(LEASE + 1);
    // ECS answers the second StopTask for a task our first one stopped: done, and said so as "Stopped".
    ecsMock.on(StopTaskCommand).resolves({
      task: {
        taskArn,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedReason: 'image-guard: container "web"',
      },
    });
    const retry = await enforce(notice({ taskArn, decisionId: 'd-retry' }), deps(ledgerOn(c), c));
    expect(retry).toMatchObject({ action: 'stopped', stop: 'stopped', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('two live invocations of one task: the second waits for the first and neither stops nor alerts twice', async () => {
    const c = clock();
    const taskArn = newTaskArn();
    const yieldingSleep = async (ms: number) => {
      c.sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const d = (id: string) =>
      enforce(notice({ taskArn, decisionId: id }), {
        ...deps(ledgerOn(c), c),
        retry: { sleep: yieldingSleep, random: () => 0.5 },
      });
    const results = await Promise.all([d('a'), d('b')]);
    expect(results.map((r) => r.action).sort()).toEqual(['none', 'stopped']);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(c.sleeps.length).toBeGreaterThan(0);
  });
});

describe('alert groups (real DynamoDB semantics)', () => {
  it('20 replacement tasks of one unsigned service: 20 stops, one email, and the count with the next email', async () => {
    const c = clock();
    const ledger = new DynamoDecisionLedger(table.client, table.tableName, 7, c.now, { leaseMs: LEASE });
    const service = `svc-${++taskCounter}`;
    const results = [];
    for (let i = 0; i < 20; i++) {
      results.push(
        await enforce(notice({ service, taskArn: newTaskArn(), decisionId: `d-${i}` }), deps(ledger, c)),
      );
      c.advance(60_000); // ECS replaces each stopped task; the window is one hour
    }
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(20);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(results.filter((r) => r.alert === 'counted')).toHaveLength(19);
    const key = results[0]!.group!.key;
    expect(results.every((r) => r.group?.key === key)).toBe(true);
    expect(results[19]).toMatchObject({
      action: 'stopped',
      alert: 'counted',
      group: { alert: 'counted', count: 19 },
    });

    c.advance(3_600_000);
    const next = await enforce(
      notice({ service, taskArn: newTaskArn(), decisionId: 'd-next' }),
      deps(ledger, c),
    );
    expect(next).toMatchObject({ alert: 'sent', group: { key, alert: 'sent', count: 19 } });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
    const publish = snsMock.commandCalls(PublishCommand)[1]!.args[0].input;
    expect(publish.Subject).toMatch(/\+19 more$/);
    expect(publish.Message).toContain(`19 more task(s)`);
    expect(publish.Message).toContain(new Date(T0 + 60_000).toISOString());
  });

  it('alerts at once for a more severe outcome; a FAILED to stop is never only counted', async () => {
    const c = clock();
    const ledger = new DynamoDecisionLedger(table.client, table.tableName, 7, c.now, { leaseMs: LEASE });
    const service = `svc-${++taskCounter}`;
    const audit = (over: Partial<TaskNotice>) =>
      notice({ service, action: 'alert', mode: 'audit', stopped: false, taskArn: newTaskArn(), ...over });
    const error = {
      ...notice().failing[0]!,
      outcome: 'error' as const,
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
    };

    expect(await enforce(audit({ failing: [error] }), deps(ledger, c))).toMatchObject({ alert: 'sent' });
    expect(await enforce(audit({ failing: [error] }), deps(ledger, c))).toMatchObject({ alert: 'counted' });
    expect(await enforce(audit({}), deps(ledger, c))).toMatchObject({ alert: 'sent' }); // deny > error
    expect(await enforce(audit({}), deps(ledger, c))).toMatchObject({ alert: 'counted' });
    expect(await enforce(notice({ service, taskArn: newTaskArn() }), deps(ledger, c))).toMatchObject({
      alert: 'sent', // stopped > deny
    });
    ecsMock.on(StopTaskCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:StopTask'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    for (let i = 0; i < 2; i++) {
      await expect(
        enforce(notice({ service, taskArn: newTaskArn() }), deps(ledger, c)),
      ).rejects.toMatchObject({
        retryable: false,
        done: { alert: 'sent' },
      });
    }
    const subjects = snsMock.commandCalls(PublishCommand).map((p) => p.args[0].input.Subject);
    expect(subjects).toEqual([
      expect.stringMatching(/Alert for task/),
      expect.stringMatching(/Would have stopped task/),
      expect.stringMatching(/Stopped task/),
      expect.stringMatching(/FAILED to stop task/),
      expect.stringMatching(/FAILED to stop task/),
    ]);
  });

  it('a window of 0 emails every task', async () => {
    const ledger = new InMemoryDecisionLedger();
    for (let i = 0; i < 3; i++) {
      await enforce(notice({ taskArn: newTaskArn() }), deps(ledger, clock(), { alertWindowMs: 0 }));
    }
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(3);
  });

  it('names the group with the same key the decision record can compute per container', async () => {
    const n = notice({ taskArn: newTaskArn() });
    const result = await enforce(n, deps(new InMemoryDecisionLedger()));
    expect(result.group?.key).toBe(alertGroupKey(groupMemberOf(n, n.failing[0]!)));
    expect(result.group?.key).toMatch(/^group#[0-9a-f]{32}$/);
  });
});

describe('enforce when StopTask fails for good', () => {
  it('alerts once that the task could NOT be stopped, then raises the error with what was done', async () => {
    ecsMock.on(StopTaskCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:StopTask'), {
        name: 'AccessDeniedException',
      }),
    );
    const d = deps(new InMemoryDecisionLedger());
    const failure = await enforce(notice(), d).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      name: 'EnforcementError',
      retryable: false,
      done: { action: 'alerted', alert: 'sent', stop: 'failed' },
    });
    const publish = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish.Subject).toMatch(/FAILED to stop task/);
    expect(publish.Message).toMatch(
      /tried to stop this task and FAILED \(StopTask failed: AccessDeniedException/,
    );
    expect(publish.MessageAttributes?.action?.StringValue).toBe('alerted');
    expect(publish.MessageAttributes?.result?.StringValue).toBe('stop-failed');

    // Lambda retries the event: the stop is tried again, the owners are not alerted twice.
    await expect(enforce(notice({ decisionId: 'd-retry' }), d)).rejects.toMatchObject({ retryable: false });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);

    // Once the permission is fixed, the stop goes through and is emailed: not a duplicate of the failure.
    ecsMock.reset();
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: TASK, lastStatus: 'RUNNING' } });
    await expect(enforce(notice({ decisionId: 'd-fixed' }), d)).resolves.toMatchObject({
      action: 'stopped',
      alert: 'sent',
    });
    expect(snsMock.commandCalls(PublishCommand)[1]!.args[0].input.Subject).toMatch(/Stopped task/);
  });
});
