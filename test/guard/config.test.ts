import path from 'node:path';
import { loadConfig } from '../../lambda/guard/config';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig({}, '/var/task')).toEqual({
      policyFile: path.resolve('/var/task', 'policy.json'),
      topicArn: undefined,
      ledgerTable: undefined,
      verifyDeadlineMs: 25_000,
      region: undefined,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig(
        {
          IMAGE_GUARD_POLICY_FILE: 'conf/p.json',
          IMAGE_GUARD_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
          IMAGE_GUARD_LEDGER_TABLE: 'ledger',
          IMAGE_GUARD_VERIFY_DEADLINE_MS: '12000',
          AWS_REGION: 'eu-west-1',
        },
        '/var/task',
      ),
    ).toEqual({
      policyFile: path.resolve('/var/task', 'conf/p.json'),
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      ledgerTable: 'ledger',
      verifyDeadlineMs: 12_000,
      region: 'eu-west-1',
    });
  });

  it.each([
    [
      { IMAGE_GUARD_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:1:q' },
      /IMAGE_GUARD_TOPIC_ARN: must be an SNS topic ARN/,
    ],
    [{ IMAGE_GUARD_VERIFY_DEADLINE_MS: '500' }, /IMAGE_GUARD_VERIFY_DEADLINE_MS: must be at least 1000/],
    [{ IMAGE_GUARD_VERIFY_DEADLINE_MS: '9000000' }, /IMAGE_GUARD_VERIFY_DEADLINE_MS: must be at most 900000/],
    [{ IMAGE_GUARD_VERIFY_DEADLINE_MS: '2.5s' }, /IMAGE_GUARD_VERIFY_DEADLINE_MS: must be a whole number/],
    [{ IMAGE_GUARD_LEDGER_TABLE: 'ab' }, /IMAGE_GUARD_LEDGER_TABLE/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env, '/var/task')).toThrow(message);
  });
});
