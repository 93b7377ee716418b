import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseEmails, parseRetention, readAppSettings } from '../../lib/app-context';

const from = (ctx: Record<string, unknown>) => (key: string) => ctx[key];

describe('CDK app context', () => {
  it('needs no context at all: default stack, no policy, no emails, one year of logs', () => {
    expect(readAppSettings(from({}))).toEqual({
      stackName: 'EcsImageGuard',
      alertEmails: [],
      logRetention: RetentionDays.ONE_YEAR,
    });
  });

  it('reads every setting', () => {
    expect(
      readAppSettings(
        from({
          stackName: 'Guard-Prod',
          policyFile: 'policy.yaml',
          alertEmails: 'a@example.com, b@example.com',
          logRetentionDays: '90',
          signingKeyAlias: 'alias/team/signing',
        }),
      ),
    ).toEqual({
      stackName: 'Guard-Prod',
      policyFile: 'policy.yaml',
      alertEmails: ['a@example.com', 'b@example.com'],
      logRetention: RetentionDays.THREE_MONTHS,
      signingKeyAlias: 'alias/team/signing',
    });
  });

  it('accepts alert emails as a comma list, a JSON array string, or an array; dedupes', () => {
    expect(parseEmails('a@example.com,a@example.com,,b@example.org')).toEqual([
      'a@example.com',
      'b@example.org',
    ]);
    expect(parseEmails('["a@example.com","b@example.com"]')).toEqual(['a@example.com', 'b@example.com']);
    expect(parseEmails(['c@example.com'])).toEqual(['c@example.com']);
    expect(parseEmails(undefined)).toEqual([]);
  });

  it('rejects emails that are not emails, and malformed lists', () => {
    expect(() => parseEmails('a@example.com,not-an-email')).toThrow(
      /alertEmails: "not-an-email" is not an email/,
    );
    expect(() => parseEmails('["a@example.com"')).toThrow(/neither a JSON array nor a comma-separated list/);
    expect(() => parseEmails([1])).toThrow(/array of strings/);
  });

  it('only accepts CloudWatch Logs retention values', () => {
    expect(parseRetention(30)).toBe(RetentionDays.ONE_MONTH);
    expect(parseRetention('3653')).toBe(RetentionDays.TEN_YEARS);
    expect(() => parseRetention('100')).toThrow(
      /logRetentionDays: "100" is not a CloudWatch Logs retention.*365/,
    );
    expect(() => parseRetention('1y')).toThrow(/logRetentionDays/);
  });

  it('rejects a bad stack name or signing key alias with the context key', () => {
    expect(() => readAppSettings(from({ stackName: '1guard' }))).toThrow(/context stackName/);
    expect(() => readAppSettings(from({ signingKeyAlias: 'signing' }))).toThrow(/context signingKeyAlias/);
  });
});
