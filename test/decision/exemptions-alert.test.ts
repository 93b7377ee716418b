/**
 * The "exemption used" alert beside the other alerts: its group is apart from the failure group of
 * the same container and digest (so a failure after the exemption expires is emailed at once), and
 * every other group keeps the key it had.
 */
import { createHash } from 'node:crypto';
import { alertGroupKey, noticeGroupMember, type GroupMember } from '../../lambda/enforce/alert-group';
import { alertMessage } from '../../lambda/enforce/alert-message';
import type { TaskNotice } from '../../lambda/enforce/notice';
import { ReasonCode } from '../../lambda/reasons';

const MEMBER: GroupMember = {
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
  service: 'payments',
  taskDefinitionFamily: 'payments',
  container: 'web',
  digest: `sha256:${'12'.repeat(32)}`,
  image: 'registry.example/payments/web:1',
};

const NOTICE: TaskNotice = {
  decisionId: 'd-1',
  action: 'alert',
  mode: 'enforce',
  stopped: false,
  clusterArn: MEMBER.clusterArn,
  clusterName: 'prod-eu',
  service: 'payments',
  taskDefinition: 'payments:7',
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/0123',
  failing: [],
  exempted: [
    {
      name: 'web',
      image: MEMBER.image,
      digest: MEMBER.digest,
      message: 'allowed by exemptions[0] (ticket SEC-1) …',
      exemption: { label: 'exemptions[0] (ticket SEC-1)', until: '2026-12-02T18:00:00Z', reason: 'hotfix' },
    },
  ],
};

describe('exemption alerts', () => {
  it('group an exempted container apart from failures of the same container and digest', () => {
    const member = noticeGroupMember(NOTICE)!;
    expect(member.exempted).toBe(true);
    expect(alertGroupKey(member)).not.toBe(alertGroupKey(MEMBER));
  });

  it('leave the key of every other group as it was', () => {
    const owner = `service:${MEMBER.service}`;
    const id = JSON.stringify([MEMBER.clusterArn, owner, MEMBER.container, `digest:${MEMBER.digest}`]);
    const expected = `group#${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
    expect(alertGroupKey(MEMBER)).toBe(expected);
  });

  it('say which exemption let the task run, in subject, body and attributes', () => {
    const message = alertMessage(NOTICE);
    expect(message.subject).toBe('[image-guard] Exemption used for task in prod-eu/payments: EXEMPTED (web)');
    expect(message.body).toContain('exemption: exemptions[0] (ticket SEC-1), until 2026-12-02T18:00:00Z');
    expect(message.body).not.toContain('Failing container(s):');
    expect(message.attributes.result?.StringValue).toBe('exempted');
    expect(message.attributes.reason?.StringValue).toBe(ReasonCode.EXEMPTED);
  });

  it('a failure notice without exemptions carries no exemption attribute', () => {
    const failing: TaskNotice = {
      ...NOTICE,
      exempted: undefined,
      failing: [
        {
          name: 'web',
          image: MEMBER.image,
          digest: MEMBER.digest,
          outcome: 'deny',
          reason: ReasonCode.NO_SIGNATURES,
          message: 'm',
        },
      ],
    };
    const message = alertMessage(failing);
    expect(message.attributes.exemption).toBeUndefined();
    expect(message.subject).toBe('[image-guard] Alert for task in prod-eu/payments: NO_SIGNATURES (web)');
  });
});
