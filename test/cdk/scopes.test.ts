import { Stack } from 'aws-cdk-lib';
import { clusterArn, eventClusterFilter, parseClusterPattern, taskArnPattern } from '../../lib/cluster-scope';
import { ecrRepositoryArns } from '../../lib/ecr-scope';
import { flattenCfn } from '../../lib/guard-nag';
import { kmsPublicKeyStatements } from '../../lib/kms-grants';

const here = { partition: 'aws', region: 'eu-west-1', account: '111122223333' };

describe('cluster patterns → ARN patterns', () => {
  it('turns a name glob into cluster and task ARN patterns in this account', () => {
    const p = parseClusterPattern('prod-*', here)!;
    expect(clusterArn(p)).toBe('arn:aws:ecs:eu-west-1:111122223333:cluster/prod-*');
    expect(taskArnPattern(p)).toBe('arn:aws:ecs:eu-west-1:111122223333:task/prod-*/*');
  });

  it('keeps the parts of an ARN glob, with ** as the IAM wildcard', () => {
    const p = parseClusterPattern('arn:aws:ecs:*:444455556666:cluster/team-**', here)!;
    expect(clusterArn(p)).toBe('arn:aws:ecs:*:444455556666:cluster/team-*');
    expect(taskArnPattern(p)).toBe('arn:aws:ecs:*:444455556666:task/team-*/*');
  });

  it('cannot narrow a glob that only matches through the ARN form, and says so', () => {
    // Valid policy globs ("a pattern matches the name or the ARN") that are not one cluster ARN pattern.
    expect(parseClusterPattern('**:cluster/prod', here)).toBeUndefined();
    expect(parseClusterPattern('**/prod', here)).toBeUndefined();
  });

  it('filters events with exact strings for literal ARNs and wildcards otherwise; ? widens to *', () => {
    const filter = eventClusterFilter([
      parseClusterPattern('payments', here)!,
      parseClusterPattern('prod-?', here)!,
      parseClusterPattern('payments', here)!,
    ]);
    expect(filter).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:cluster/payments',
      { wildcard: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-*' },
    ]);
  });
});

describe('ECR repositories from image patterns', () => {
  it('maps an ECR image glob to its repository ARN pattern, dropping tag and digest', () => {
    expect(
      ecrRepositoryArns(
        [
          '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/**',
          '111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:*',
          '111122223333.dkr.ecr.us-east-1.amazonaws.com/base@sha256:*',
        ],
        'aws',
      ),
    ).toEqual([
      'arn:aws:ecr:eu-west-1:111122223333:repository/team/*',
      'arn:aws:ecr:eu-west-1:111122223333:repository/app',
      'arn:aws:ecr:us-east-1:111122223333:repository/base',
    ]);
  });

  it('a wildcard ECR host keeps its wildcards in account and region, in the partition it names', () => {
    // amazonaws.com with any region: commercial or GovCloud, so the stack's own partition.
    expect(ecrRepositoryArns(['*.dkr.ecr.*.amazonaws.com/**'], 'aws')).toEqual([
      'arn:aws:ecr:*:*:repository/*',
    ]);
    expect(ecrRepositoryArns(['*.dkr-ecr.*.on.aws/app'], 'aws-us-gov')).toEqual([
      'arn:aws-us-gov:ecr:*:*:repository/app',
    ]);
    expect(ecrRepositoryArns(['*.dkr.ecr.*.amazonaws.com.cn/app'], 'aws')).toEqual([
      'arn:aws-cn:ecr:*:*:repository/app',
    ]);
    expect(ecrRepositoryArns(['*.dkr.ecr.eu-*.amazonaws.com/app'], 'aws')).toEqual([
      'arn:aws:ecr:eu-*:*:repository/app',
    ]);
  });

  it("takes the partition from the host, whatever the stack's partition", () => {
    expect(
      ecrRepositoryArns(
        [
          '111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app',
          '111122223333.dkr-ecr.us-gov-west-1.on.aws/app',
          '111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app',
          '111122223333.dkr-ecr.eu-west-1.on.aws/app',
        ],
        '${Token[AWS.Partition.1]}',
      ),
    ).toEqual([
      'arn:aws-cn:ecr:cn-north-1:111122223333:repository/app',
      'arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/app',
      'arn:aws:ecr:eu-west-1:111122223333:repository/app',
    ]);
  });

  it('needs nothing for images on a fixed non-ECR registry', () => {
    expect(
      ecrRepositoryArns(
        [
          'ghcr.io/acme/*',
          'docker.io/library/nginx:*',
          'public.ecr.aws/x/y:*',
          '111122223333.dkr.ecr.eu-west-1.example.com/x',
          '111122223333.dkr.ecr.eu-west-1.amazonaws.com:443/x',
        ],
        'aws',
      ),
    ).toEqual([]);
  });

  it('widens to every repository when a pattern could be any registry (no images, **, wildcard host)', () => {
    const all = ['arn:aws:ecr:*:*:repository/*'];
    expect(ecrRepositoryArns(undefined, 'aws')).toEqual(all);
    expect(ecrRepositoryArns(['**'], 'aws')).toEqual(all);
    expect(ecrRepositoryArns(['*/app:*'], 'aws')).toEqual(all);
    expect(ecrRepositoryArns(['ghcr.io/x/*', 'registry-*.example.com/app'], 'aws')).toEqual(all);
  });
});

describe('kms:GetPublicKey statements', () => {
  const json = (refs: string[], owned = new Map<string, string>()) =>
    kmsPublicKeyStatements(refs, here, owned).map((s) => s.toStatementJson());

  it('grants a key ARN as is, a key id in this account, and an alias as key/* narrowed by kms:RequestAlias', () => {
    expect(
      json([
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'mrk-0123456789abcdef0123456789abcdef',
        'alias/ci-signing',
        'arn:aws-cn:kms:cn-north-1:444455556666:alias/org/signing',
      ]),
    ).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      {
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: 'arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef',
      },
      {
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: 'arn:aws:kms:eu-west-1:111122223333:key/*',
        Condition: { StringEquals: { 'kms:RequestAlias': 'alias/ci-signing' } },
      },
      {
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: 'arn:aws-cn:kms:cn-north-1:444455556666:key/*',
        Condition: { StringEquals: { 'kms:RequestAlias': 'alias/org/signing' } },
      },
    ]);
  });

  it('grants an alias the construct created by its key ARN, and never duplicates a statement', () => {
    const owned = new Map([['alias/ecs-image-guard', 'arn:aws:kms:eu-west-1:111122223333:key/owned']]);
    expect(json(['alias/ecs-image-guard', 'awskms:///alias/ecs-image-guard'], owned)).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: 'arn:aws:kms:eu-west-1:111122223333:key/owned',
      },
    ]);
  });

  it('refuses a value that is not a KMS key reference', () => {
    expect(() => json(['my-key'])).toThrow(/"my-key" is not a valid key reference/);
  });
});

describe('cdk-nag finding ids', () => {
  it('renders tokens the way cdk-nag prints resources (Ref → <X>, GetAtt → <X.Y>)', () => {
    const stack = new Stack();
    expect(
      flattenCfn(stack.resolve(`arn:${stack.partition}:ecs:${stack.region}:${stack.account}:task/p-*/*`)),
    ).toBe('arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/p-*/*');
    expect(flattenCfn({ 'Fn::GetAtt': ['Key1', 'Arn'] })).toBe('<Key1.Arn>');
    expect(flattenCfn('*')).toBe('*');
  });
});
