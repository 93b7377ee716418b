/**
 * The sweep end to end: a real docker-registry on loopback (behind a recording proxy, to count registry
 * requests), images signed with the cosign-format test signer and PEM keys, ECS and SNS through
 * aws-sdk-client-mock answering like the real APIs (FakeFleet), the enforcer, ledger and memory as
 * composed for the Lambda.
 */
import {
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DecisionRecord } from '../../lambda/decision/types';
import { InMemoryDecisionLedger } from '../../lambda/enforce/decision-ledger';
import { ReasonCode } from '../../lambda/reasons';
import { InMemoryDecisionMemory } from '../../lambda/sweep/decision-memory';
import { startFaultProxy, startRegistry, type FaultProxy, type StartedRegistry } from '../support/registry';
import { generateTestKey } from '../support/signer';
import {
  newTaskId,
  pushLegacySignatures,
  pushTestImage,
  taskEvent,
  type PushedImage,
} from '../guard/support';
import { buildSweep, FakeFleet, taskArnOf, type FleetTask, type SweepSetup } from './support';

const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);

const ciKey = generateTestKey('p256');
const newKey = generateTestKey('p256');
let registry: StartedRegistry;
let proxy: FaultProxy;
let host: string;
const images: PushedImage[] = [];
let unsigned: PushedImage;
let fleet: FakeFleet;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  host = proxy.host;
  for (let i = 0; i < 5; i++) {
    const image = await pushTestImage(registry, `team/app${i}`, '1.0');
    await pushLegacySignatures(registry, image, [ciKey]);
    images.push(image);
  }
  unsigned = await pushTestImage(registry, 'team/unsigned', '1.0');
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

beforeEach(() => {
  ecs.reset();
  sns.reset();
  proxy.setPlan([]);
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  fleet = new FakeFleet(ecs);
  fleet.install();
});

function policy(
  options: {
    key?: 'ci' | 'new';
    mode?: 'enforce' | 'audit';
    clusters?: string[];
    maxStopsPerRun?: number;
  } = {},
) {
  const key = options.key === 'new' ? newKey : ciKey;
  return {
    mode: options.mode ?? 'enforce',
    noMatch: 'allow',
    keys: [{ name: 'trusted', publicKey: key.publicKeyPem }],
    rules: [
      {
        name: 'team-apps',
        match: { clusters: options.clusters ?? ['prod-eu'], images: [`${host}/team/**`] },
        keys: ['trusted'],
      },
    ],
    registries: { insecure: [host] },
    ...(options.maxStopsPerRun !== undefined ? { sweep: { maxStopsPerRun: options.maxStopsPerRun } } : {}),
  };
}

function task(image: PushedImage, extra: Partial<FleetTask> = {}): FleetTask {
  return {
    cluster: 'prod-eu',
    id: newTaskId(),
    image: `${host}/${image.repo}:${image.tag}`,
    digest: image.digest,
    ...extra,
  };
}

const stops = () => ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
const publishes = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const summaries = () => publishes().filter((p) => p.MessageAttributes?.kind?.StringValue === 'sweep-budget');
const sweepRecords = (s: SweepSetup): DecisionRecord[] =>
  s.logger.decisions().filter((d) => d.trigger === 'sweep');

describe('tasks without a final decision', () => {
  it('decides a task whose event was lost, stops a failing one, and remembers both', async () => {
    const good = task(images[0]!);
    const bad = task(unsigned);
    fleet.add(good, bad);
    const setup = buildSweep({ policy: policy() });

    const run = await setup.sweep.run();

    expect(run).toMatchObject({ clusters: 1, listed: 2, decided: 2, stopped: 1, current: 0, errors: 0 });
    expect(stops()).toEqual([
      expect.objectContaining({
        cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
        task: taskArnOf('prod-eu', bad.id),
      }),
    ]);
    const records = sweepRecords(setup);
    expect(records).toHaveLength(2);
    const byTask = new Map(records.map((r) => [r.taskArn, r]));
    expect(byTask.get(taskArnOf('prod-eu', good.id))).toMatchObject({
      trigger: 'sweep',
      action: 'none',
      eventId: `sweep:${run.runId}`,
      sweep: { runId: run.runId, why: 'unknown', stopBudget: 5, budgetExhausted: false },
      containers: [{ outcome: 'allow', reason: ReasonCode.VERIFIED, digest: images[0]!.digest }],
    });
    expect(byTask.get(taskArnOf('prod-eu', bad.id))).toMatchObject({
      action: 'stopped',
      sweep: { why: 'unknown', budgetExhausted: false },
      containers: [{ outcome: 'deny', reason: ReasonCode.NO_SIGNATURES }],
    });
    const memory = setup.memory as InMemoryDecisionMemory;
    expect(memory.decisions.get(taskArnOf('prod-eu', good.id))).toMatchObject({
      outcome: 'pass',
      policySha256: setup.policySha256,
      digests: { app: images[0]!.digest },
    });
    expect(memory.decisions.get(taskArnOf('prod-eu', bad.id))).toMatchObject({ outcome: 'fail' });

    // The next run: the stopped task is gone, the allowed one is current.
    const next = await setup.sweep.run();
    expect(next).toMatchObject({ listed: 1, current: 1, decided: 0 });
  });

  it('a task the event path decided costs the sweep nothing', async () => {
    const t = task(images[1]!);
    fleet.add(t);
    const setup = buildSweep({ policy: policy() });
    const event = taskEvent({
      taskId: t.id,
      containers: [{ name: 'app', image: t.image, imageDigest: t.digest }],
      lastStatus: 'RUNNING',
    });
    const outcome = await setup.guard.handle(event);
    expect(outcome.kind).toBe('decision');
    const before = proxy.requests.length;

    const run = await setup.sweep.run();

    expect(run).toMatchObject({ current: 1, decided: 0 });
    expect(proxy.requests.length).toBe(before);
  });

  it('decides again a decision that was not final (a registry error), and a task whose digest changed', async () => {
    const t = task(images[2]!);
    fleet.add(t);
    const setup = buildSweep({ policy: policy() });
    proxy.setPlan([{ fault: { type: 'status', status: 503, body: '{"errors":[{"code":"UNAVAILABLE"}]}' } }]);
    const first = await setup.sweep.run();
    expect(first).toMatchObject({ decided: 1, notFinal: 1, stopped: 0 });
    expect(sweepRecords(setup)[0]!.containers[0]).toMatchObject({
      outcome: 'error',
      reason: ReasonCode.REGISTRY_UNAVAILABLE,
    });

    proxy.setPlan([]);
    const second = await setup.sweep.run();
    expect(second).toMatchObject({ decided: 1, notFinal: 0 });
    expect(sweepRecords(setup)[1]).toMatchObject({
      sweep: { why: 'unknown' },
      containers: [{ outcome: 'allow' }],
    });

    // ECS now reports another digest for the container (a different image under the same task).
    t.image = `${host}/${images[3]!.repo}:${images[3]!.tag}`;
    t.digest = images[3]!.digest;
    const third = await setup.sweep.run();
    expect(third).toMatchObject({ decided: 1, current: 0 });
    expect(sweepRecords(setup)[2]).toMatchObject({ sweep: { why: 'digest-changed' } });
  });

  it('leaves young PENDING tasks to the event path and decides those that are stuck', async () => {
    const setup = buildSweep({ policy: policy() });
    const now = setup.clock.now;
    const young = task(images[0]!, { lastStatus: 'PENDING', createdAt: new Date(now - 60_000) });
    const stuck = task(images[0]!, { lastStatus: 'PENDING', createdAt: new Date(now - 10 * 60_000) });
    fleet.add(young, stuck);

    const run = await setup.sweep.run();

    expect(run).toMatchObject({ listed: 2, starting: 1, decided: 1 });
    expect(sweepRecords(setup).map((r) => r.taskArn)).toEqual([taskArnOf('prod-eu', stuck.id)]);
  });
});

describe('an unchanged fleet', () => {
  it('costs no registry request and no verification', async () => {
    fleet.add(...Array.from({ length: 20 }, (_, i) => task(images[i % 2]!)));
    const setup = buildSweep({ policy: policy() });
    const first = await setup.sweep.run();
    expect(first.decided).toBe(20);
    const before = proxy.requests.length;
    expect(before).toBeGreaterThan(0);

    const second = await setup.sweep.run();

    expect(second).toMatchObject({ listed: 20, current: 20, decided: 0 });
    expect(proxy.requests.length).toBe(before);
    expect(setup.metrics.counts.SweepTasksDecided).toBe(20);
  });

  it('verifies each distinct image once per run: 250 tasks of 5 images cost what 5 tasks cost', async () => {
    const one = buildSweep({ policy: policy() });
    fleet.add(...images.map((img) => task(img)));
    const start1 = proxy.requests.length;
    await one.sweep.run();
    const perImage = proxy.requests.length - start1;
    expect(perImage).toBeGreaterThan(0);

    fleet.tasks.clear();
    ecs.resetHistory();
    fleet.add(...Array.from({ length: 250 }, (_, i) => task(images[i % 5]!)));
    const many = buildSweep({ policy: policy() });
    const start2 = proxy.requests.length;
    const run = await many.sweep.run();

    expect(run).toMatchObject({ listed: 250, decided: 250 });
    expect(proxy.requests.length - start2).toBe(perImage);
    // Paging: ListTasks 100 a page, DescribeTasks at most 100 tasks a call.
    expect(ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      '100',
      '200',
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([
      100, 100, 50,
    ]);
    expect(run.calls).toMatchObject({ ListClusters: 0, ListTasks: 3, DescribeTasks: 3, memoryReads: 3 });
  });
});

describe('the stop budget', () => {
  it('key removed: stops limited by the budget, the rest alerted in one summary, over the next runs', async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(images[i % 5]!));
    fleet.add(...tasks);
    const ledger = new InMemoryDecisionLedger();
    const memory = new InMemoryDecisionMemory();
    const cache = undefined;
    const before = buildSweep({
      policy: policy({ maxStopsPerRun: 3 }),
      ledger,
      memory,
      ...(cache ? { cache } : {}),
    });
    expect(await before.sweep.run()).toMatchObject({ decided: 8, stopped: 0 });

    // The trusted key is replaced: no running image is signed by a trusted key any more.
    const after = buildSweep({ policy: policy({ key: 'new', maxStopsPerRun: 3 }), ledger, memory });
    const run1 = await after.sweep.run();

    expect(run1).toMatchObject({ decided: 8, stopped: 3, deferredStops: 5, summaryAlert: 'sent' });
    expect(stops()).toHaveLength(3);
    expect(summaries()).toHaveLength(1);
    const body = summaries()[0]!.Message!;
    const records = sweepRecords(after);
    const deferred = records.filter((r) => r.sweep?.budgetExhausted);
    expect(deferred).toHaveLength(5);
    for (const r of deferred) {
      expect(r).toMatchObject({
        action: 'alerted',
        sweep: { why: 'policy-changed', stopBudget: 3, budgetExhausted: true, summaryAlert: 'sent' },
      });
      expect(body).toContain(r.taskArn);
    }
    expect(records.filter((r) => r.action === 'stopped')).toHaveLength(3);
    expect(summaries()[0]!.Subject).toBe('ecs-image-guard sweep: 5 task(s) not stopped (stop budget)');

    const run2 = await after.sweep.run();
    expect(run2).toMatchObject({ stopped: 3, deferredStops: 2, summaryAlert: 'sent' });
    const run3 = await after.sweep.run();
    expect(run3).toMatchObject({ stopped: 2, deferredStops: 0, summaryAlert: 'none' });
    expect(stops()).toHaveLength(8);
    expect(summaries()).toHaveLength(2);
    expect(fleet.tasks.get('prod-eu')).toEqual([]);
  });

  it('two overlapping runs (a manual invoke during a scheduled one) share one budget: the second does nothing', async () => {
    const bad = Array.from({ length: 4 }, () => task(unsigned));
    fleet.add(...bad);
    const clock = { now: Date.parse('2026-11-30T12:00:00.000Z') };
    const ledger = new InMemoryDecisionLedger(() => clock.now);
    const memory = new InMemoryDecisionMemory();
    const scheduled = buildSweep({ policy: policy({ maxStopsPerRun: 2 }), clock, ledger, memory });
    const manual = buildSweep({ policy: policy({ maxStopsPerRun: 2 }), clock, ledger, memory });

    const [first, second] = await Promise.all([scheduled.sweep.run(), manual.sweep.run()]);

    expect(first).toMatchObject({ stopped: 2, deferredStops: 2 });
    expect(first.skipped).toBeUndefined();
    expect(second).toMatchObject({
      decided: 0,
      stopped: 0,
      skipped: expect.stringContaining('holds the run lease'),
    });
    expect(stops()).toHaveLength(2);
    // The lease is given back: the next run goes ahead and stops within its own budget.
    expect(await manual.sweep.run()).toMatchObject({ stopped: 2 });
    expect(stops()).toHaveLength(4);
  });

  it('the same list beyond the budget is emailed once, not every run', async () => {
    fleet.add(task(unsigned), task(unsigned));
    const setup = buildSweep({ policy: policy({ maxStopsPerRun: 0 }) });
    expect(await setup.sweep.run()).toMatchObject({ stopped: 0, deferredStops: 2, summaryAlert: 'sent' });
    expect(await setup.sweep.run()).toMatchObject({
      stopped: 0,
      deferredStops: 2,
      summaryAlert: 'duplicate',
    });
    expect(summaries()).toHaveLength(1);
    expect(stops()).toHaveLength(0);
  });

  it('a stop already made (ECS still lists the task) does not use the budget', async () => {
    const a = task(unsigned);
    const b = task(unsigned);
    fleet.add(a, b);
    fleet.keepStopped = true;
    const ledger = new InMemoryDecisionLedger();
    const first = buildSweep({ policy: policy({ maxStopsPerRun: 1 }), ledger });
    expect(await first.sweep.run()).toMatchObject({ stopped: 1, deferredStops: 1 });
    const stoppedFirst = stops()[0]!.task;

    // Another run that does not remember the first one's decisions (its memory write was lost).
    const second = buildSweep({ policy: policy({ maxStopsPerRun: 1 }), ledger });
    const run = await second.sweep.run();

    expect(run).toMatchObject({ stopped: 1, deferredStops: 0 });
    expect(stops().map((s) => s.task)).toEqual([stoppedFirst, expect.not.stringMatching(stoppedFirst!)]);
  });
});

describe('alerts', () => {
  it('an alert is not repeated when the decision is unchanged; closed group windows are reported once', async () => {
    fleet.add(task(unsigned), task(unsigned), task(unsigned));
    const setup = buildSweep({ policy: policy({ mode: 'audit' }) });
    const first = await setup.sweep.run();
    expect(first).toMatchObject({ decided: 3, stopped: 0, alerted: 1 });
    expect(publishes()).toHaveLength(1);

    // A day later the re-check decides them again, with the same result: no new alert per task.
    setup.clock.now += 25 * 3600_000;
    const second = await setup.sweep.run();
    expect(second).toMatchObject({ decided: 3, alerted: 0, windowsReported: 1, windowsAlert: 'sent' });
    const later = sweepRecords(setup).slice(3);
    expect(
      later.every((r) => r.action === 'none' && r.sweep?.unchanged === true && r.sweep.why === 'recheck'),
    ).toBe(true);
    const sent = publishes().slice(1);
    expect(sent.map((p) => p.MessageAttributes?.kind?.StringValue)).toEqual(['sweep-windows']);
    expect(sent[0]!.Message).toContain('2 more task(s)');

    const third = await setup.sweep.run();
    expect(third).toMatchObject({ decided: 0, current: 3, windowsReported: 0 });
    expect(publishes()).toHaveLength(2);
  });
});

describe('an exemption', () => {
  it('allows the task only until the exemption ends: the next run after `until` decides it again and stops it', async () => {
    const exempted = task(unsigned);
    fleet.add(exempted);
    const clock = { now: Date.parse('2026-11-30T12:00:00.000Z') };
    // Exemptions are matched on the wall clock: it follows the sweep's clock here.
    const wallClock = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
    try {
      const until = new Date(clock.now + 60 * 60_000).toISOString();
      const setup = buildSweep({
        clock,
        policy: {
          ...policy(),
          exemptions: [
            {
              image: `${host}/${unsigned.repo}@${unsigned.digest}`,
              clusters: ['prod-eu'],
              until,
              reason: 'vendor hotfix',
              ticket: 'SEC-1',
            },
          ],
        },
      });

      const first = await setup.sweep.run();
      expect(first).toMatchObject({ decided: 1, stopped: 0 });
      expect(stops()).toHaveLength(0);
      expect(sweepRecords(setup)[0]?.containers[0]).toMatchObject({ reason: 'EXEMPTED' });

      clock.now += 30 * 60_000; // still exempted: current, not decided again
      expect(await setup.sweep.run()).toMatchObject({ decided: 0, current: 1 });

      clock.now += 31 * 60_000; // the exemption has ended, long before the 24-hour re-check
      const after = await setup.sweep.run();
      expect(after).toMatchObject({ decided: 1, stopped: 1 });
      expect(stops()).toEqual([expect.objectContaining({ task: taskArnOf('prod-eu', exempted.id) })]);
      const last = sweepRecords(setup).at(-1);
      expect(last?.sweep?.why).toBe('exemption-expired');
      expect(last?.containers[0]?.exemption).toMatchObject({ status: 'EXEMPTION_EXPIRED' });
    } finally {
      wallClock.mockRestore();
    }
  });
});

describe('a changed decision', () => {
  it('alerts again: a task the event path alerted on in audit mode is stopped and alerted when the policy enforces', async () => {
    const t = task(unsigned);
    fleet.add(t);
    const ledger = new InMemoryDecisionLedger();
    const memory = new InMemoryDecisionMemory();
    const audit = buildSweep({ policy: policy({ mode: 'audit' }), ledger, memory });
    const event = taskEvent({
      taskId: t.id,
      containers: [{ name: 'app', image: t.image, imageDigest: t.digest }],
      lastStatus: 'RUNNING',
    });
    expect(await audit.guard.handle(event)).toMatchObject({ record: { action: 'alerted' } });
    expect(publishes()).toHaveLength(1);

    const enforcing = buildSweep({ policy: policy({ mode: 'enforce' }), ledger, memory });
    const run = await enforcing.sweep.run();

    expect(run).toMatchObject({ decided: 1, stopped: 1, alerted: 1 });
    expect(publishes()).toHaveLength(2);
    expect(publishes()[1]!.Subject).toMatch(/stopped/i);
  });
});

describe('clusters', () => {
  it('names exact clusters without ListClusters; a pattern lists and filters them', async () => {
    fleet.add(
      task(images[0]!, { cluster: 'prod-eu' }),
      task(images[0]!, { cluster: 'prod-us' }),
      task(images[0]!, { cluster: 'dev' }),
    );
    const named = buildSweep({ policy: policy({ clusters: ['prod-eu'] }) });
    expect(await named.sweep.run()).toMatchObject({ clusters: 1, listed: 1 });
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(0);

    ecs.resetHistory();
    const pattern = buildSweep({ policy: policy({ clusters: ['prod-*'] }) });
    expect(await pattern.sweep.run()).toMatchObject({ clusters: 2, listed: 2 });
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(1);
    expect(
      ecs
        .commandCalls(ListTasksCommand)
        .map((c) => c.args[0].input.cluster)
        .sort(),
    ).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
      'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-us',
    ]);
  });

  it('a failure on one cluster is recorded and the others are still swept', async () => {
    fleet.add(task(images[0]!, { cluster: 'prod-a' }), task(unsigned, { cluster: 'prod-b' }));
    fleet.failing.set(
      'prod-a',
      Object.assign(new Error('User is not authorized to perform: ecs:ListTasks'), {
        name: 'AccessDeniedException',
      }),
    );
    const setup = buildSweep({ policy: policy({ clusters: ['prod-a', 'prod-b'] }) });

    const run = await setup.sweep.run();

    expect(run.clusterFailures).toEqual([
      { cluster: 'prod-a', message: expect.stringContaining('AccessDeniedException') },
    ]);
    expect(run).toMatchObject({ clusters: 2, decided: 1, stopped: 1, errors: 1 });
    expect(setup.metrics.counts.SweepClusterFailures).toBe(1);
    const logged = setup.logger.lines.find((l) => l.message === 'sweep');
    expect(logged?.fields).toMatchObject({
      type: 'image-guard.sweep',
      clusterFailures: [{ cluster: 'prod-a' }],
    });
  });

  it('a task that cannot be decided is recorded and the others are still decided', async () => {
    const tasks = [task(images[0]!), task(images[1]!), task(images[2]!)];
    fleet.add(...tasks);
    const failing = taskArnOf('prod-eu', tasks[1]!.id);
    const memory = new InMemoryDecisionMemory();
    const write = memory.write.bind(memory);
    // A memory that fails outright (not with a rejected promise) for one task.
    memory.write = (d) => {
      if (d.taskArn === failing) throw new Error('memory unavailable');
      return write(d);
    };
    const setup = buildSweep({ policy: policy(), memory });

    const run = await setup.sweep.run();

    expect(run).toMatchObject({ decided: 3, errors: 1 });
    expect(memory.decisions.size).toBe(2);
    expect(setup.logger.lines.find((l) => l.message === 'sweep-task')?.fields).toMatchObject({
      taskArn: failing,
      message: expect.stringContaining('memory unavailable'),
    });
  });

  it('with no time left, lists nothing and records what it left for the next run', async () => {
    fleet.add(task(images[0]!));
    const setup = buildSweep({ policy: policy() });
    const run = await setup.sweep.run({ deadlineMs: 1000 });
    expect(run).toMatchObject({ incomplete: true, decided: 0, leftForNextRun: { clusters: ['prod-eu'] } });
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(0);
  });
});

describe('rate limiting', () => {
  it('takes a token per ECS call and waits when the bucket is empty (counted, not timed)', async () => {
    // 250 young PENDING tasks: listed and described, none decided (no registry traffic).
    const setup = buildSweep({ policy: policy(), ecsRate: { ratePerSecond: 2, burst: 2 } });
    const created = new Date(setup.clock.now);
    fleet.add(
      ...Array.from({ length: 250 }, () => task(images[0]!, { lastStatus: 'PENDING', createdAt: created })),
    );

    const run = await setup.sweep.run();

    // 3 ListTasks + 3 DescribeTasks = 6 calls: 2 from the burst, 4 waits of 500 ms at 2 per second.
    expect(run.calls).toMatchObject({ ListTasks: 3, DescribeTasks: 3 });
    expect(run.throttleWaits).toBe(4);
    expect(setup.slept).toEqual([500, 500, 500, 500]);
  });
});
