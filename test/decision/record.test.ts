import fs from 'node:fs';
import path from 'node:path';
import { decideTask } from '../../lambda/decision/decide-task';
import { matchTargetOf } from '../../lambda/decision/match-target';
import { buildDecisionRecord, buildIgnoredRecord, MAX_MESSAGE_CHARS } from '../../lambda/decision/record';
import { parseTaskStateChange, type TaskEvent } from '../../lambda/events';
import {
  decideContainer,
  matchContainer,
  requiredKeys,
  type ContainerDecision,
  type VerificationSummary,
} from '../../lambda/policy/evaluate';
import { policySha256 } from '../../lambda/policy/hash';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'events');
const event = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown;

function taskOf(name: string): TaskEvent {
  const parsed = parseTaskStateChange(event(name));
  if (parsed.kind !== 'task') throw new Error(parsed.message);
  return parsed.task;
}

const POLICY = parsePolicy(
  `
mode: audit
keys:
  - { name: ci, kms: alias/ci }
  - { name: vendor, kms: alias/vendor }
trustedImages:
  - { image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:*", reason: AWS log router }
rules:
  - name: prod-ecr
    match: { clusters: ["prod-*"], images: ["*.dkr.ecr.*.amazonaws.com/**"] }
    keys: [ci]
    mode: enforce
  - name: sidecars
    match: { images: ["ghcr.io/acme/**"] }
    keys: [vendor]
`,
  { source: 'policy.yaml' },
);

describe('the decision pipeline on a recorded event (pure parts end to end)', () => {
  const task = taskOf('ec2-multi-container-running.json');

  /** Stands in for the verifier: which keys signed which image. */
  const signedBy: Record<string, VerificationSummary> = {
    web: { verifiedKeys: ['ci'], reason: ReasonCode.VERIFIED, message: 'verified', error: false },
    metrics: {
      verifiedKeys: [],
      reason: ReasonCode.NO_SIGNATURES,
      message: 'no signatures found for the digest',
      error: false,
    },
  };

  const decisions = task.containers.map((container) => {
    const image = `${container.image}@${container.imageDigest as string}`;
    const match = matchContainer(POLICY, matchTargetOf(task, image));
    const wanted = match.kind === 'rules' ? requiredKeys(match.rules) : [];
    return { container, image, wanted, decision: decideContainer(POLICY, match, signedBy[container.name]) };
  });

  it('decides each container per policy', () => {
    expect(
      decisions.map((d) => [
        d.container.name,
        d.wanted,
        d.decision.outcome,
        d.decision.reason,
        d.decision.mode,
      ]),
    ).toEqual([
      ['web', ['ci'], 'allow', ReasonCode.VERIFIED, 'enforce'],
      ['log_router', [], 'skip', ReasonCode.TRUSTED_IMAGE, 'audit'],
      ['metrics', ['vendor'], 'deny', ReasonCode.NO_SIGNATURES, 'audit'],
    ]);
  });

  it('alerts (audit deny only) and records exactly the DESIGN fields', () => {
    const containers: ContainerDecision[] = decisions.map((d) => d.decision);
    const decision = decideTask(POLICY, containers);
    expect(decision).toEqual({ action: 'alert', mode: 'audit' });

    const record = buildDecisionRecord({
      decisionId: '01J2Z6X4Q8W3E5R7T9Y1U3I5O7',
      time: '2026-03-02T09:14:32.010Z',
      task,
      decision,
      containers: decisions.map((d, i) => ({
        name: d.container.name,
        image: d.container.image,
        ...(d.container.imageDigest !== undefined ? { digest: d.container.imageDigest } : {}),
        digestSource: 'event' as const,
        decision: d.decision,
        signaturesFound: i === 0 ? 1 : 0,
        cached: i === 0,
        durationMs: 12.6,
      })),
      policySha256: policySha256(POLICY),
      durationMs: 40.2,
      alertGroups: new Map([['metrics', 'group#0123456789abcdef0123456789abcdef']]),
      alert: {
        group: 'group#0123456789abcdef0123456789abcdef',
        status: 'sent',
        count: 3,
        since: '2026-03-02T08:14:32.010Z',
      },
    });

    expect(record).toEqual({
      type: 'image-guard.decision',
      trigger: 'event',
      decisionId: '01J2Z6X4Q8W3E5R7T9Y1U3I5O7',
      time: '2026-03-02T09:14:32.010Z',
      mode: 'audit',
      action: 'alerted',
      cluster: 'prod-eu',
      service: 'web-frontend',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/a1b2c3d4e5f647388796a5b4c3d2e1f0',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web-frontend:118',
      lastStatus: 'RUNNING',
      eventId: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a',
      containers: [
        {
          name: 'web',
          image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web/frontend:4.1.0',
          digest: 'sha256:1d3f5b7d9f1b3d5f7b9d1f3b5d7f9b1d3f5b7d9f1b3d5f7b9d1f3b5d7f9b1d3f',
          digestSource: 'event',
          outcome: 'allow',
          reason: 'VERIFIED',
          rule: 'prod-ecr',
          keys: ['ci'],
          signaturesFound: 1,
          cached: true,
          durationMs: 13,
          message: 'signed by ci; rules passed: prod-ecr',
          alertGroup: null,
          exemption: null,
        },
        {
          name: 'log_router',
          image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
          digest: 'sha256:4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c',
          digestSource: 'event',
          outcome: 'skip',
          reason: 'TRUSTED_IMAGE',
          rule: null,
          keys: [],
          signaturesFound: 0,
          cached: false,
          durationMs: 13,
          message: 'trusted image ("public.ecr.aws/aws-observability/aws-for-fluent-bit:*"): AWS log router',
          alertGroup: null,
          exemption: null,
        },
        {
          name: 'metrics',
          image: 'ghcr.io/acme/metrics-sidecar:1.4',
          digest: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
          digestSource: 'event',
          outcome: 'deny',
          reason: 'NO_SIGNATURES',
          rule: 'sidecars',
          keys: [],
          signaturesFound: 0,
          cached: false,
          durationMs: 13,
          message: 'rule "sidecars" (audit): no signatures found for the digest',
          alertGroup: 'group#0123456789abcdef0123456789abcdef',
          exemption: null,
        },
      ],
      policySha256: policySha256(POLICY),
      durationMs: 40,
      alert: {
        group: 'group#0123456789abcdef0123456789abcdef',
        status: 'sent',
        count: 3,
        since: '2026-03-02T08:14:32.010Z',
      },
    });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});

describe('buildDecisionRecord', () => {
  const task = taskOf('ec2-runtask-pending-no-digest.json');
  const error: ContainerDecision = {
    outcome: 'error',
    reason: ReasonCode.REGISTRY_UNAVAILABLE,
    message: 'x'.repeat(5000),
    rule: 'all',
    rules: ['all'],
    keys: [],
    mode: 'enforce',
  };
  const base = {
    decisionId: 'd-1',
    time: '2026-03-02T10:02:12.000Z',
    task,
    decision: { action: 'stop' as const, mode: 'enforce' as const },
    containers: [
      {
        name: 'job',
        image: 'nginx:1.27',
        decision: error,
        signaturesFound: 0,
        cached: false,
        durationMs: -5,
      },
    ],
    policySha256: 'a'.repeat(64),
    durationMs: Number.NaN,
  };

  it('uses null for a missing service, digest, digest source and rule, and clamps durations', () => {
    const r = buildDecisionRecord(base);
    expect(r.service).toBeNull();
    expect(r.action).toBe('stopped');
    expect(r.durationMs).toBe(0);
    expect(r.containers[0]).toMatchObject({ digest: null, digestSource: null, rule: 'all', durationMs: 0 });
    expect(r.actionError).toBeUndefined();
    expect(Object.keys(r)).not.toContain('actionError');
  });

  it('caps messages', () => {
    const r = buildDecisionRecord(base);
    expect(r.containers[0]?.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(r.containers[0]?.message.endsWith('…')).toBe(true);
  });

  it('records what was actually done and why a stop failed', () => {
    const r = buildDecisionRecord({
      ...base,
      action: 'alerted',
      actionError: 'StopTask: AccessDeniedException',
    });
    expect(r.action).toBe('alerted');
    expect(r.actionError).toBe('StopTask: AccessDeniedException');
    expect(r.mode).toBe('enforce');
  });

  it('maps decideTask actions to record actions', () => {
    expect(buildDecisionRecord({ ...base, decision: { action: 'alert', mode: 'audit' } }).action).toBe(
      'alerted',
    );
    expect(buildDecisionRecord({ ...base, decision: { action: 'none', mode: 'audit' } }).action).toBe('none');
  });
});

describe('matchTargetOf', () => {
  it('carries cluster, family and service (when the task has one)', () => {
    const svc = taskOf('ec2-service-pending-digest.json');
    expect(matchTargetOf(svc, 'x/y:1')).toEqual({
      image: 'x/y:1',
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
      clusterName: 'prod-eu',
      taskDefinitionFamily: 'payments-api',
      service: 'payments-api',
    });
    expect('service' in matchTargetOf(taskOf('ec2-runtask-pending-no-digest.json'), 'x/y:1')).toBe(false);
  });
});

describe('buildIgnoredRecord', () => {
  it('records a parsed-but-ignored event with its identifiers', () => {
    const parsed = parseTaskStateChange(event('ec2-stopped.json'));
    if (parsed.kind !== 'ignored') throw new Error('expected ignored');
    const r = buildIgnoredRecord({ time: '2026-03-02T11:40:53.000Z', ...parsed });
    expect(r).toEqual({
      type: 'image-guard.ignored',
      time: '2026-03-02T11:40:53.000Z',
      eventId: '5e4d3c2b-1a09-4f8e-7d6c-5b4a39281706',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/batch/e3d2c1b0a9f84e7d6c5b4a3928171605',
      reason: 'EVENT_NOT_APPLICABLE',
      message: parsed.message,
    });
    expect('kind' in r).toBe(false);
  });

  it('omits identifiers it does not have', () => {
    const r = buildIgnoredRecord({
      time: 't',
      reason: ReasonCode.EVENT_INVALID,
      message: 'event is not a JSON object (got null)',
    });
    expect(r).toEqual({
      type: 'image-guard.ignored',
      time: 't',
      reason: 'EVENT_INVALID',
      message: 'event is not a JSON object (got null)',
    });
  });
});
