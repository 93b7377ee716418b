import { isEcrRegistry } from '../../lambda/reference/parse';

describe('isEcrRegistry', () => {
  it.each([
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      {
        accountId: '123456789012',
        region: 'eu-west-1',
        fips: false,
        dualStack: false,
        partitionSuffix: 'amazonaws.com',
      },
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      {
        accountId: '123456789012',
        region: 'us-gov-west-1',
        fips: true,
        dualStack: false,
        partitionSuffix: 'amazonaws.com',
      },
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      {
        accountId: '123456789012',
        region: 'cn-north-1',
        fips: false,
        dualStack: false,
        partitionSuffix: 'amazonaws.com.cn',
      },
    ],
    [
      '123456789012.dkr-ecr.ap-south-1.on.aws',
      {
        accountId: '123456789012',
        region: 'ap-south-1',
        fips: false,
        dualStack: true,
        partitionSuffix: 'on.aws',
      },
    ],
    [
      '123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov',
      {
        accountId: '123456789012',
        region: 'us-iso-east-1',
        fips: false,
        dualStack: false,
        partitionSuffix: 'c2s.ic.gov',
      },
    ],
    [
      '123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM',
      {
        accountId: '123456789012',
        region: 'eu-west-1',
        fips: false,
        dualStack: false,
        partitionSuffix: 'amazonaws.com',
      },
    ],
  ])('recognises %s', (host, expected) => {
    expect(isEcrRegistry(host)).toEqual(expected);
  });

  it.each([
    'public.ecr.aws',
    'docker.io',
    '12345678901.dkr.ecr.eu-west-1.amazonaws.com', // 11 digits
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com:443', // ports are never part of an ECR host
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example', // suffix must end the host
    'evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    '123456789012.dkr.ecr..amazonaws.com',
  ])('rejects %s', (host) => {
    expect(isEcrRegistry(host)).toBeUndefined();
  });
});
