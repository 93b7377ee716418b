import { ECSClient, InvalidParameterException, StopTaskCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { InMemoryDecisionLedger } from '../../lambda/enforce/decision-ledger';
import { enforce } from '../../lambda/enforce/enforcer';
import type { TaskNotice } from '../../lambda/enforce/notice';
import { ReasonCode } from '../../lambda/reasons';

const ecsMock = mockClient(ECSClient);
const snsMock = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:image-guard-alerts';
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef';

function notice(overrides: Partial<TaskNotice> = {}): TaskNotice {
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
        digest: 'sha256:' + 'a'.repeat(64),
        outcome: 'deny',
        reason: ReasonCode.NO_SIGNATURES,
        message: 'no cosign signature found',
        rule: 'prod-ecr',
      },
    ],
    ...overrides,
  };
}

beforeEach(() => {
  ecsMock.reset();
  snsMock.reset();
  ecsMock
    .on(StopTaskCommand)
    .resolves({ task: { taskArn: TASK, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('enforce', () => {
  it('stops once and alerts once, however often the same task arrives', async () => {
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    const first = await enforce(notice(), deps);
    const second = await enforce(notice({ decisionId: 'd-2' }), deps);
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
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    const result = await enforce(notice({ action: 'alert', mode: 'audit', stopped: false }), deps);
    expect(result).toMatchObject({ action: 'alerted', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toMatch(/Would have stopped/);
  });

  it('treats a task ECS no longer knows as not running (success)', async () => {
    ecsMock
      .on(StopTaskCommand)
      .rejects(
        new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }),
      );
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    await expect(enforce(notice(), deps)).resolves.toMatchObject({ action: 'stopped', stop: 'already-gone' });
  });

  it('gives the stop claim back when StopTask fails, so a retry stops the task', async () => {
    ecsMock
      .on(StopTaskCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    await expect(enforce(notice(), deps)).rejects.toMatchObject({ retryable: true });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    await expect(enforce(notice({ decisionId: 'd-retry' }), deps)).resolves.toMatchObject({
      action: 'stopped',
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('gives the alert claim back when SNS fails, and a retry alerts without stopping again', async () => {
    let calls = 0;
    snsMock.reset();
    snsMock.on(PublishCommand).callsFake(() => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('internal'), { name: 'InternalErrorException' });
      return { MessageId: 'm-2' };
    });
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    await expect(enforce(notice(), deps)).rejects.toThrow(/SNS Publish failed/);
    const retry = await enforce(notice({ decisionId: 'd-retry' }), deps);
    expect(retry).toMatchObject({ stop: 'duplicate', alert: 'sent' });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });
});

describe('enforce when StopTask fails for good', () => {
  it('alerts once that the task could NOT be stopped, then raises the error with what was done', async () => {
    ecsMock.on(StopTaskCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:StopTask'), {
        name: 'AccessDeniedException',
      }),
    );
    const deps = {
      ecs: new ECSClient({}),
      sns: new SNSClient({}),
      topicArn: TOPIC,
      ledger: new InMemoryDecisionLedger(),
    };
    const failure = await enforce(notice(), deps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      name: 'EnforcementError',
      retryable: false,
      done: { action: 'alerted', alert: 'sent' },
    });
    const publish = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish.Subject).toMatch(/FAILED to stop task/);
    expect(publish.Message).toMatch(
      /tried to stop this task and FAILED \(StopTask failed: AccessDeniedException/,
    );
    expect(publish.MessageAttributes?.action?.StringValue).toBe('alerted');

    // Lambda retries the event: the stop is tried again, the owners are not alerted twice.
    await expect(enforce(notice({ decisionId: 'd-retry' }), deps)).rejects.toMatchObject({
      retryable: false,
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
