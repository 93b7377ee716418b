import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseTaskStateChange, type ParsedEvent, type TaskEvent } from '../../lambda/events';
import { ReasonCode } from '../../lambda/reasons';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'events');
const load = (name: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

function task(result: ParsedEvent): TaskEvent {
  if (result.kind !== 'task') throw new Error(`expected a task, got ignored: ${result.message}`);
  return result.task;
}

function ignored(result: ParsedEvent) {
  if (result.kind !== 'ignored') throw new Error('expected the event to be ignored');
  return result;
}

/** A deep copy of a fixture with `mutate` applied to it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary event paths
type Loose = Record<string, any>;

function variant(name: string, mutate: (e: Loose) => void): Record<string, unknown> {
  const e = structuredClone(load(name));
  mutate(e);
  return e;
}

describe('recorded events', () => {
  it('parses the AWS docs Fargate example', () => {
    expect(task(parseTaskStateChange(load('fargate-running-docs.json')))).toEqual({
      eventId: '3317b2af-7005-947d-b652-f55e762e571a',
      time: '2020-01-23T17:57:58Z',
      account: '111122223333',
      region: 'us-west-2',
      clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster',
      clusterName: 'FargateCluster',
      taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad',
      taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1',
      taskDefinitionFamily: 'sample-fargate',
      taskDefinitionRevision: 1,
      group: 'family:sample-fargate',
      launchType: 'FARGATE',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      version: 4,
      updatedAt: '2020-01-23T17:57:58.103Z',
      containers: [
        {
          name: 'FargateApp',
          image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/hello-repository:latest',
          imageDigest: 'sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6',
          containerArn: 'arn:aws:ecs:us-west-2:111122223333:container/cf159fd6-3e3f-4a9e-84f9-66cbe726af01',
          lastStatus: 'RUNNING',
        },
      ],
      serviceConnectContainers: [],
    });
  });

  it('parses an EC2 service task at PENDING with a digest (service from group, startedBy)', () => {
    const t = task(parseTaskStateChange(load('ec2-service-pending-digest.json')));
    expect(t).toMatchObject({
      clusterName: 'prod-eu',
      service: 'payments-api',
      group: 'service:payments-api',
      startedBy: 'ecs-svc/4417628153096428133',
      launchType: 'EC2',
      lastStatus: 'PENDING',
      taskDefinitionFamily: 'payments-api',
      taskDefinitionRevision: 42,
      version: 2,
    });
    expect(t.containers).toEqual([
      expect.objectContaining({
        name: 'api',
        imageDigest: 'sha256:9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e',
        lastStatus: 'PENDING',
      }),
    ]);
  });

  it('parses a RunTask event without a digest: no service, no imageDigest', () => {
    const t = task(parseTaskStateChange(load('ec2-runtask-pending-no-digest.json')));
    expect(t.service).toBeUndefined();
    expect(t.group).toBe('family:nightly-report');
    expect(t.containers).toHaveLength(1);
    expect(t.containers[0]).toEqual({
      name: 'job',
      image: 'nginx:1.27',
      containerArn:
        'arn:aws:ecs:eu-west-1:111122223333:container/batch/e3d2c1b0a9f84e7d6c5b4a3928171605/6e5d4c3b-2a19-4f8e-8d7c-6b5a4f3e2d1c',
      lastStatus: 'PENDING',
    });
    expect('imageDigest' in (t.containers[0] as object)).toBe(false);
  });

  it('keeps every container of a multi-container task, in order', () => {
    const t = task(parseTaskStateChange(load('ec2-multi-container-running.json')));
    expect(t.containers.map((c) => [c.name, c.image])).toEqual([
      ['web', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web/frontend:4.1.0'],
      ['log_router', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable'],
      ['metrics', 'ghcr.io/acme/metrics-sidecar:1.4'],
    ]);
    expect(t.containers.every((c) => /^sha256:[0-9a-f]{64}$/.test(c.imageDigest ?? ''))).toBe(true);
    expect(t.service).toBe('web-frontend');
  });

  it('accepts the old task ARN format (task/ID without the cluster)', () => {
    const t = task(parseTaskStateChange(load('ec2-legacy-task-arn-running.json')));
    expect(t.taskArn).toBe('arn:aws:ecs:us-east-1:111122223333:task/845bdcb25e2d4e008a3370094a309636');
    expect(t.clusterName).toBe('legacy');
  });

  it.each([
    ['ec2-stopped.json', 'task is STOPPED with desired status STOPPED'],
    ['fargate-spot-termination-notice.json', 'task is RUNNING with desired status STOPPED'],
    ['fargate-provisioning.json', 'task is PROVISIONING with desired status RUNNING'],
  ])('ignores %s as not applicable', (file, start) => {
    const event = load(file);
    const r = ignored(parseTaskStateChange(event));
    expect(r.reason).toBe(ReasonCode.EVENT_NOT_APPLICABLE);
    expect(r.message.startsWith(start)).toBe(true);
    expect(r.message).toContain(
      'only tasks that are PENDING, ACTIVATING, RUNNING with desired status RUNNING',
    );
    expect(r.eventId).toBe(event.id);
    expect(r.taskArn).toBe((event.detail as { taskArn: string }).taskArn);
  });

  it('accepts ACTIVATING', () => {
    const e = variant('ec2-service-pending-digest.json', (e) => {
      e.detail.lastStatus = 'ACTIVATING';
    });
    expect(task(parseTaskStateChange(e)).lastStatus).toBe('ACTIVATING');
  });

  it('tolerates unknown fields ECS may add, at every level', () => {
    const e = variant('fargate-running-docs.json', (e) => {
      e.newTopLevel = { x: 1 };
      e.detail.someNewField = [1, 2];
      e.detail.containers[0].brandNew = 'yes';
    });
    expect(parseTaskStateChange(e).kind).toBe('task');
  });

  it('treats null optional fields as absent', () => {
    const e = variant('fargate-running-docs.json', (e) => {
      e.detail.group = null;
      e.detail.containers[0].imageDigest = null;
    });
    const t = task(parseTaskStateChange(e));
    expect(t.group).toBeUndefined();
    expect(t.containers[0]?.imageDigest).toBeUndefined();
  });
});

describe('malformed events are ignored as EVENT_INVALID, with the field named', () => {
  const DOC = 'fargate-running-docs.json';
  const cases: [string, (e: Loose) => void, string][] = [
    ['wrong source', (e) => (e.source = 'aws.ec2'), 'source: expected "aws.ecs", got "aws.ec2"'],
    [
      'wrong detail-type',
      (e) => (e['detail-type'] = 'ECS Container Instance State Change'),
      'detail-type: expected "ECS Task State Change", got "ECS Container Instance State Change"',
    ],
    ['detail missing', (e) => delete e.detail, 'detail: expected an object, got undefined'],
    ['detail an array', (e) => (e.detail = []), 'detail: expected an object, got a list'],
    ['missing clusterArn', (e) => delete e.detail.clusterArn, 'detail.clusterArn: is required'],
    ['numeric taskArn', (e) => (e.detail.taskArn = 42), 'detail.taskArn: expected string, got 42'],
    [
      'not a cluster ARN',
      (e) => (e.detail.clusterArn = 'arn:aws:ecs:us-west-2:111122223333:service/x'),
      'detail.clusterArn: is not a cluster ARN',
    ],
    [
      'a task definition ARN without revision',
      (e) =>
        (e.detail.taskDefinitionArn = 'arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate'),
      'detail.taskDefinitionArn: is not a task definition ARN',
    ],
    ['version as a string', (e) => (e.detail.version = '4'), 'detail.version: expected number, got "4"'],
    ['negative version', (e) => (e.detail.version = -1), 'detail.version: must not be negative'],
    ['fractional version', (e) => (e.detail.version = 1.5), 'detail.version: expected integer, got 1.5'],
    [
      'containers an object',
      (e) => (e.detail.containers = { a: 1 }),
      'detail.containers: expected array, got a mapping',
    ],
    ['no containers', (e) => (e.detail.containers = []), 'detail.containers: lists no containers'],
    [
      'too many containers',
      (e) => (e.detail.containers = Array.from({ length: 101 }, (_, i) => ({ name: `c${i}`, image: 'x' }))),
      'detail.containers: lists more than 100 containers',
    ],
    [
      'huge task ARN',
      (e) => (e.detail.taskArn = `arn:aws:ecs:us-west-2:111122223333:task/${'a'.repeat(2000)}`),
      'detail.taskArn: is longer than 1600 characters',
    ],
    ['bad account', (e) => (e.account = '1234'), 'account: is not a 12-digit account id'],
    ['missing id', (e) => delete e.id, 'id: is required'],
  ];

  it.each(cases)('%s', (_what, mutate, message) => {
    const r = ignored(parseTaskStateChange(variant(DOC, mutate)));
    expect(r.reason).toBe(ReasonCode.EVENT_INVALID);
    expect(r.message).toBe(message);
  });

  it('keeps the event id and task ARN for the ignored record when they are usable', () => {
    const r = ignored(parseTaskStateChange(variant(DOC, (e) => delete e.detail.containers)));
    expect(r).toEqual({
      kind: 'ignored',
      reason: ReasonCode.EVENT_INVALID,
      message: 'detail.containers: is required',
      eventId: '3317b2af-7005-947d-b652-f55e762e571a',
      taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad',
    });
    const huge = ignored(parseTaskStateChange(variant(DOC, (e) => (e.detail.taskArn = 'x'.repeat(5000)))));
    expect(huge.taskArn).toBeUndefined();
  });

  it('lists several problems, at most five, and says how many more', () => {
    const r = ignored(
      parseTaskStateChange(
        variant(DOC, (e) => {
          delete e.id;
          delete e.account;
          delete e.time;
          delete e.region;
          delete e.detail.clusterArn;
          delete e.detail.taskArn;
          delete e.detail.version;
        }),
      ),
    );
    expect(r.message.split('; ')).toHaveLength(5);
    expect(r.message).toMatch(/ \(and 2 more\)$/);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'event'],
    ['a number', 7],
    ['an array', [{}]],
  ])('ignores %s input', (_what, input) => {
    const r = ignored(parseTaskStateChange(input));
    expect(r.reason).toBe(ReasonCode.EVENT_INVALID);
    expect(r.message).toMatch(/^event is not a JSON object/);
  });

  it('accepts a sha512 digest rather than dropping the container from verification', () => {
    const digest = `sha512:${'ab'.repeat(64)}`;
    const t = task(parseTaskStateChange(variant(DOC, (e) => (e.detail.containers[0].imageDigest = digest))));
    expect(t.containers[0]?.imageDigest).toBe(digest);
  });

  it('never throws, whatever the input (fuzzed around a real event)', () => {
    const base = load(DOC);
    const anyValue = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.string({ maxLength: 30 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.anything(), { maxKeys: 3 }),
    );
    const paths = [
      ['id'],
      ['source'],
      ['detail-type'],
      ['detail'],
      ['detail', 'clusterArn'],
      ['detail', 'taskArn'],
      ['detail', 'lastStatus'],
      ['detail', 'desiredStatus'],
      ['detail', 'version'],
      ['detail', 'group'],
      ['detail', 'containers'],
      ['detail', 'containers', 0],
      ['detail', 'containers', 0, 'image'],
      ['detail', 'containers', 0, 'imageDigest'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), anyValue, (p, value) => {
        const e = structuredClone(base) as Loose;
        let target: Loose | undefined = e;
        for (const key of p.slice(0, -1)) target = target?.[key];
        if (target && typeof target === 'object') target[p[p.length - 1] as string | number] = value;
        const r = parseTaskStateChange(e);
        expect(['task', 'ignored']).toContain(r.kind);
        if (r.kind === 'ignored') expect(r.message.length).toBeLessThan(2000);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(parseTaskStateChange(input).kind).toBe('ignored');
      }),
    );
  });
});

describe('a container that cannot be read keeps its place with a problem; the task is still parsed', () => {
  const DOC = 'fargate-running-docs.json';
  const cases: [string, (e: Loose) => void, string][] = [
    [
      'a null container',
      (e) => (e.detail.containers[0] = null),
      'detail.containers[0]: expected object, got null',
    ],
    [
      'image a list',
      (e) => (e.detail.containers[0].image = ['a']),
      'detail.containers[0].image: expected string, got a list',
    ],
    [
      'empty image',
      (e) => (e.detail.containers[0].image = ''),
      'detail.containers[0].image: must not be empty',
    ],
    [
      'huge image',
      (e) => (e.detail.containers[0].image = `registry.example/${'a'.repeat(5000)}`),
      'detail.containers[0].image: is longer than 2048 characters',
    ],
    [
      'invalid digest',
      (e) => (e.detail.containers[0].imageDigest = 'sha256:XYZ'),
      'detail.containers[0].imageDigest: is not a sha256:<64 hex> digest',
    ],
    [
      'upper-case digest',
      (e) => (e.detail.containers[0].imageDigest = `sha256:${'AB'.repeat(32)}`),
      'detail.containers[0].imageDigest: is not a sha256:<64 hex> digest',
    ],
  ];

  it.each(cases)('%s', (_what, mutate, message) => {
    const t = task(parseTaskStateChange(variant(DOC, mutate)));
    expect(t.containers).toHaveLength(1);
    expect(t.containers[0]?.problem).toBe(message);
  });

  it('keeps the other containers untouched and names an unreadable container by its position', () => {
    const t = task(
      parseTaskStateChange(
        variant(DOC, (e) => {
          e.detail.containers.push({ image: ['x'] }, { ...e.detail.containers[0], name: 'second' });
        }),
      ),
    );
    expect(t.containers.map((c) => [c.name, c.problem])).toEqual([
      ['FargateApp', undefined],
      [
        'containers[1]',
        'detail.containers[1].name: is required; detail.containers[1].image: expected string, got a list',
      ],
      ['second', undefined],
    ]);
  });

  it('accepts a container with a null or absent image (AWS-injected agents are reported so)', () => {
    const t = task(
      parseTaskStateChange(
        variant(DOC, (e) => {
          e.detail.containers.push(
            { name: 'aws-guardduty-agent-FvWGoDU', imageDigest: `sha256:${'ab'.repeat(32)}` },
            { name: 'ecs-service-connect-oRK9o', image: null, imageDigest: null },
          );
        }),
      ),
    );
    expect(t.containers.slice(1)).toEqual([
      { name: 'aws-guardduty-agent-FvWGoDU', imageDigest: `sha256:${'ab'.repeat(32)}` },
      { name: 'ecs-service-connect-oRK9o' },
    ]);
  });

  it('reads the container names of ServiceConnect attachments, ignoring other attachments', () => {
    const t = task(
      parseTaskStateChange(
        variant(DOC, (e) => {
          e.detail.attachments.push(
            {
              type: 'ServiceConnect',
              details: [{ name: 'ContainerName', value: 'ecs-service-connect-oRK9o' }],
            },
            { type: 'eni', details: [{ name: 'ContainerName', value: 'not-this' }] },
            { type: 'ServiceConnect', details: 'broken' },
          );
        }),
      ),
    );
    expect(t.serviceConnectContainers).toEqual(['ecs-service-connect-oRK9o']);
  });
});
