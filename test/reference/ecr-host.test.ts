import { ECR_PARTITIONS, ecrRegistriesMatching, isEcrRegistry } from '../../lambda/reference/ecr-host';

describe('isEcrRegistry', () => {
  const info = (
    host: string,
    partition: string,
    partitionSuffix: string,
    extra: { fips?: boolean; dualStack?: boolean } = {},
  ) => {
    const region = /ecr(?:-fips)?\.([^.]+)\./.exec(host.toLowerCase())?.[1];
    return [
      host,
      {
        accountId: '123456789012',
        region,
        fips: extra.fips ?? false,
        dualStack: extra.dualStack ?? false,
        partitionSuffix,
        partition,
      },
    ] as const;
  };

  it.each([
    info('123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'aws', 'amazonaws.com'),
    info('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', 'aws', 'amazonaws.com', { fips: true }),
    info('123456789012.dkr-ecr.ap-south-1.on.aws', 'aws', 'on.aws', { dualStack: true }),
    info('123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', 'aws-us-gov', 'amazonaws.com'),
    info('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'aws-us-gov', 'amazonaws.com', {
      fips: true,
    }),
    info('123456789012.dkr-ecr.us-gov-east-1.on.aws', 'aws-us-gov', 'on.aws', { dualStack: true }),
    info('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'aws-cn', 'amazonaws.com.cn'),
    info(
      '123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn',
      'aws-cn',
      'on.amazonwebservices.com.cn',
      {
        dualStack: true,
      },
    ),
    info('123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov', 'aws-iso', 'c2s.ic.gov'),
    info('123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov', 'aws-iso-b', 'sc2s.sgov.gov'),
    info('123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk', 'aws-iso-e', 'cloud.adc-e.uk'),
    info('123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov', 'aws-iso-f', 'csp.hci.ic.gov'),
    info('123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu', 'aws-eusc', 'amazonaws.eu'),
    info('123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM', 'aws', 'amazonaws.com'),
  ])('recognises %s', (host, expected) => {
    expect(isEcrRegistry(host)).toEqual(expected);
  });

  it.each([
    'public.ecr.aws', // ECR Public: pulled anonymously, never given ECR credentials
    'docker.io',
    '12345678901.dkr.ecr.eu-west-1.amazonaws.com', // 11 digits
    '1234567890123.dkr.ecr.eu-west-1.amazonaws.com', // 13 digits
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com:443', // ports are never part of an ECR host
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example', // suffix must end the host
    'evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    '123456789012.dkr.ecr..amazonaws.com',
    '123456789012.dkr.ecr.eu-west-1.example.com',
    // A suffix of another partition than the region's: no such endpoint exists.
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com.cn',
    '123456789012.dkr.ecr.cn-north-1.amazonaws.com',
    '123456789012.dkr-ecr.cn-north-1.on.aws',
    '123456789012.dkr.ecr.us-isob-east-1.c2s.ic.gov',
  ])('rejects %s', (host) => {
    expect(isEcrRegistry(host)).toBeUndefined();
  });

  it('knows every partition suffix through a host of that partition', () => {
    for (const p of ECR_PARTITIONS) {
      const region = `${p.regionPrefix || 'eu-'}west-1`;
      for (const suffix of p.suffixes) {
        expect(isEcrRegistry(`123456789012.dkr.ecr.${region}.${suffix}`)?.partition).toBe(p.partition);
      }
    }
  });
});

describe('ecrRegistriesMatching (host globs of the policy)', () => {
  it('a literal host is ECR exactly when the runtime says so', () => {
    expect(ecrRegistriesMatching('123456789012.dkr-ecr.eu-west-1.on.aws')).toEqual({
      kind: 'some',
      account: '123456789012',
      region: 'eu-west-1',
      partitions: ['aws'],
    });
    for (const host of [
      'public.ecr.aws',
      'ghcr.io',
      'localhost:5000',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com:443',
    ]) {
      expect(ecrRegistriesMatching(host)).toEqual({ kind: 'none' });
    }
  });

  it('keeps account and region wildcards and names every partition the region glob may be in', () => {
    expect(ecrRegistriesMatching('*.dkr.ecr.*.amazonaws.com')).toEqual({
      kind: 'some',
      account: '*',
      region: '*',
      partitions: ['aws-us-gov', 'aws'],
    });
    expect(ecrRegistriesMatching('*.dkr.ecr.us-gov-*.amazonaws.com')).toMatchObject({
      partitions: ['aws-us-gov'],
    });
    expect(ecrRegistriesMatching('1111222233?3.dkr-ecr.eu-*.on.aws')).toEqual({
      kind: 'some',
      account: '1111222233?3',
      region: 'eu-*',
      partitions: ['aws'],
    });
    expect(ecrRegistriesMatching('*.dkr.ecr.cn-*.amazonaws.com.cn')).toMatchObject({
      partitions: ['aws-cn'],
    });
  });

  it('a glob that cannot be narrowed may be any ECR host; one no partition allows is none', () => {
    for (const host of [
      '*.amazonaws.com',
      'registry-*.example.com',
      '**',
      '*.dkr.ecr*.eu-west-1.amazonaws.com',
    ]) {
      expect(ecrRegistriesMatching(host)).toEqual({ kind: 'any' });
    }
    expect(ecrRegistriesMatching('*.dkr.ecr.eu-*.amazonaws.com.cn')).toEqual({ kind: 'none' });
  });
});
