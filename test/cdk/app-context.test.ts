import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CONTEXT_KEYS,
  checkContextKeys,
  parseBoolean,
  parseEmails,
  parseReservedConcurrency,
  parseRetention,
  parseSweepInterval,
  readAppSettings,
} from '../../lib/app-context';

const from = (ctx: Record<string, unknown>) => (key: string) => ctx[key];

describe('CDK app context', () => {
  it('needs no context at all: default stack, no policy, no emails, one year of logs', () => {
    expect(readAppSettings(from({}))).toEqual({
      stackName: 'EcsImageGuard',
      alertEmails: [],
      opsEmails: [],
      logRetention: RetentionDays.ONE_YEAR,
      signingKeyAlias: 'alias/ecs-image-guard',
      signingKeyAliasDerived: false,
      keepSigningKey: false,
      sweepIntervalMinutes: 15,
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
          opsEmails: 'ops@example.com',
          keepSigningKey: 'true',
          reservedConcurrency: '10',
          sweepIntervalMinutes: '30',
        }),
      ),
    ).toEqual({
      stackName: 'Guard-Prod',
      policyFile: 'policy.yaml',
      alertEmails: ['a@example.com', 'b@example.com'],
      opsEmails: ['ops@example.com'],
      logRetention: RetentionDays.THREE_MONTHS,
      signingKeyAlias: 'alias/team/signing',
      signingKeyAliasDerived: false,
      keepSigningKey: true,
      reservedConcurrency: 10,
      sweepIntervalMinutes: 30,
    });
  });

  it('derives the signing key alias from a stack name that is not the default', () => {
    expect(readAppSettings(from({ stackName: 'Guard-Staging' }))).toMatchObject({
      signingKeyAlias: 'alias/ecs-image-guard-Guard-Staging',
      signingKeyAliasDerived: true,
    });
    expect(readAppSettings(from({ stackName: 'EcsImageGuard' }))).toMatchObject({
      signingKeyAlias: 'alias/ecs-image-guard',
      signingKeyAliasDerived: false,
    });
  });

  it('fails on an unknown context key of its own, listing the valid keys; namespaced keys pass', () => {
    expect(() => readAppSettings(from({}), ['policyfile', 'policy', 'policyFile'])).toThrow(
      'unknown context keys: "policy", "policyfile". Valid keys: ' + CONTEXT_KEYS.join(', '),
    );
    expect(() => checkContextKeys(['alertEmail'])).toThrow(
      /unknown context key: "alertEmail"\. Valid keys: .*alertEmails/,
    );
    expect(() =>
      checkContextKeys([
        ...CONTEXT_KEYS,
        '@aws-cdk/aws-iam:minimizePolicies',
        'aws:cdk:bundling-stacks',
        'availability-zones:account=111122223333:region=eu-west-1',
      ]),
    ).not.toThrow();
  });

  it('reads booleans and reserved concurrency strictly', () => {
    expect(parseBoolean('TRUE', 'keepSigningKey')).toBe(true);
    expect(parseBoolean(false, 'keepSigningKey')).toBe(false);
    expect(parseBoolean(undefined, 'keepSigningKey')).toBe(false);
    expect(() => parseBoolean('yes', 'keepSigningKey')).toThrow(
      /context keepSigningKey: "yes" must be true or false/,
    );
    expect(parseReservedConcurrency(undefined)).toBeUndefined();
    expect(parseReservedConcurrency('0')).toBe(0);
    expect(parseReservedConcurrency(25)).toBe(25);
    expect(() => parseReservedConcurrency('-1')).toThrow(/context reservedConcurrency/);
    expect(() => parseReservedConcurrency(2.5)).toThrow(/context reservedConcurrency/);
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
    expect(() => parseEmails('ops', 'opsEmails')).toThrow(/context opsEmails: "ops" is not an email/);
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

describe('context sweepIntervalMinutes', () => {
  it('is 15 by default, 0 turns the sweep off, and anything else is refused with the reason', () => {
    expect(parseSweepInterval(undefined)).toBe(15);
    expect(parseSweepInterval('0')).toBe(0);
    expect(parseSweepInterval(60)).toBe(60);
    expect(parseSweepInterval('1440')).toBe(1440);
    for (const bad of ['1441', '-5', '2.5', 'often', true]) {
      expect(() => parseSweepInterval(bad)).toThrow(
        /context sweepIntervalMinutes: .* from 1 to 1440, or 0 to turn the sweep off/,
      );
    }
  });
});
