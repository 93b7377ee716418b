import { kmsRefFromPolicy, parseAwsKmsRef } from '../../lambda/keys/kms-ref';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const ALIAS_ARN = 'arn:aws:kms:us-east-2:111122223333:alias/ci/signing-key';

describe('parseAwsKmsRef (cosign awskms:// forms)', () => {
  it.each([
    [`awskms:///${KEY_ID}`, { keyId: KEY_ID }],
    [`awskms:///${MRK_ID}`, { keyId: MRK_ID }],
    [`awskms:///${KEY_ARN}`, { keyId: KEY_ARN, region: 'eu-west-1' }],
    ['awskms:///alias/ExampleAlias', { keyId: 'alias/ExampleAlias' }],
    [`awskms:///${ALIAS_ARN}`, { keyId: ALIAS_ARN, region: 'us-east-2' }],
    [`awskms://localhost:4566/${KEY_ID}`, { keyId: KEY_ID, endpoint: 'localhost:4566' }],
    [
      `awskms://kms.vpce.example.com/${KEY_ARN}`,
      { keyId: KEY_ARN, endpoint: 'kms.vpce.example.com', region: 'eu-west-1' },
    ],
    ['awskms://localhost:4566/alias/x', { keyId: 'alias/x', endpoint: 'localhost:4566' }],
    [
      `awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY_ID}`,
      { keyId: `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY_ID}`, region: 'us-gov-west-1' },
    ],
    [
      `awskms:///arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`,
      { keyId: `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`, region: 'cn-north-1' },
    ],
  ])('%s', (ref, expected) => {
    expect(parseAwsKmsRef(ref)).toEqual(expected);
  });

  it.each([
    ['gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k', /not an awskms:\/\//],
    [KEY_ID, /not an awskms:\/\//],
    ['awskms://', /no "\/"/],
    ['awskms:///', /key part is empty/],
    ['awskms:///not-a-key', /"not-a-key" is not a key id/],
    ['awskms:///1234abcd-12ab-34cd-56ef-1234567890', /is not a key id/],
    ['awskms:///arn:aws:kms:eu-west-1:1111:key/' + KEY_ID, /is not a key id/],
    ['awskms:///arn:aws:s3:eu-west-1:111122223333:key/' + KEY_ID, /is not a key id/],
    ['awskms:///alias/', /is not a key id/],
    ['awskms:///alias/has space', /is not a key id/],
    ['awskms://user@host/alias/x', /endpoint "user@host"/],
    ['awskms://host/path/alias/x', /"path\/alias\/x" is not a key id/],
  ])('refuses %s', (ref, message) => {
    try {
      parseAwsKmsRef(ref);
      throw new Error('expected a GuardError');
    } catch (e) {
      expect(e).toBeInstanceOf(GuardError);
      expect((e as GuardError).code).toBe(ReasonCode.KEY_UNAVAILABLE);
      expect((e as GuardError).message).toMatch(message);
      expect((e as GuardError).message).toContain('expected awskms:///');
    }
  });
});

describe('kmsRefFromPolicy (the policy kms: field)', () => {
  it.each([
    [KEY_ID, `awskms:///${KEY_ID}`],
    [KEY_ARN, `awskms:///${KEY_ARN}`],
    ['alias/ci-2026', 'awskms:///alias/ci-2026'],
    [ALIAS_ARN, `awskms:///${ALIAS_ARN}`],
    [`  ${KEY_ARN} `, `awskms:///${KEY_ARN}`],
    [`awskms://localhost:4566/${KEY_ID}`, `awskms://localhost:4566/${KEY_ID}`],
  ])('%s → %s', (value, ref) => {
    expect(kmsRefFromPolicy(value)).toBe(ref);
  });

  it.each(['', 'ci-2026', 'arn:aws:kms:eu-west-1:111122223333:key/nope'])('refuses %j', (value) => {
    expect(() => kmsRefFromPolicy(value)).toThrow(GuardError);
  });
});
