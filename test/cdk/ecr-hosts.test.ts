/**
 * Runtime and IAM agree on which hosts are Amazon ECR: every host form the runtime gives ECR
 * credentials to (EcrCredentialProvider with its default host table) gets an IAM grant from the
 * construct (ecr:GetAuthorizationToken and a repository ARN in the host's own partition), and a host the
 * runtime does not treat as ECR gets neither.
 */
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { parsePolicy } from '../../lambda/policy/load';
import { policyScope } from '../../lambda/policy/scope';
import { EcrCredentialProvider } from '../../lambda/registry/credentials/ecr-provider';
import {
  actionsOf,
  iamStatements,
  render,
  resourcesOf,
  statementsFor,
  synthGuard,
  writePolicy,
} from './support';

interface EcrForm {
  form: string;
  host: string;
  partition: string;
  region: string;
}

const ACCOUNT = '123456789012';
const ecrForm = (form: string, host: string, partition: string, region: string): EcrForm => ({
  form,
  host: `${ACCOUNT}.${host}`,
  partition,
  region,
});

/** Every ECR private registry host form, one per partition and endpoint kind. */
const ECR_FORMS: EcrForm[] = [
  ecrForm('commercial', 'dkr.ecr.eu-west-1.amazonaws.com', 'aws', 'eu-west-1'),
  ecrForm('commercial FIPS', 'dkr.ecr-fips.us-east-1.amazonaws.com', 'aws', 'us-east-1'),
  ecrForm('commercial dual-stack', 'dkr-ecr.eu-west-1.on.aws', 'aws', 'eu-west-1'),
  ecrForm('GovCloud', 'dkr.ecr.us-gov-west-1.amazonaws.com', 'aws-us-gov', 'us-gov-west-1'),
  ecrForm('GovCloud FIPS', 'dkr.ecr-fips.us-gov-east-1.amazonaws.com', 'aws-us-gov', 'us-gov-east-1'),
  ecrForm('GovCloud dual-stack', 'dkr-ecr.us-gov-west-1.on.aws', 'aws-us-gov', 'us-gov-west-1'),
  ecrForm('China', 'dkr.ecr.cn-north-1.amazonaws.com.cn', 'aws-cn', 'cn-north-1'),
  ecrForm(
    'China dual-stack',
    'dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn',
    'aws-cn',
    'cn-northwest-1',
  ),
  ecrForm('ISO', 'dkr.ecr.us-iso-east-1.c2s.ic.gov', 'aws-iso', 'us-iso-east-1'),
  ecrForm('ISO-B', 'dkr.ecr.us-isob-east-1.sc2s.sgov.gov', 'aws-iso-b', 'us-isob-east-1'),
  ecrForm('ISO-E', 'dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk', 'aws-iso-e', 'eu-isoe-west-1'),
  ecrForm('ISO-F', 'dkr.ecr.us-isof-south-1.csp.hci.ic.gov', 'aws-iso-f', 'us-isof-south-1'),
  ecrForm('European Sovereign Cloud', 'dkr.ecr.eusc-de-east-1.amazonaws.eu', 'aws-eusc', 'eusc-de-east-1'),
];

/** Hosts that are not ECR private registries. ECR Public is pulled anonymously: no credentials, no IAM. */
const NOT_ECR = [
  'public.ecr.aws',
  'ghcr.io',
  'docker.io',
  'registry.example.com:5000',
  `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com:443`,
  `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com.cn`,
  `${ACCOUNT}.dkr.ecr.eu-west-1.example.com`,
];

const ecr = mockClient(ECRClient);

/** What the runtime does for `host`: undefined, or the region it asked for an ECR token. */
async function runtimeTokenRegion(host: string): Promise<string | undefined> {
  const regions: string[] = [];
  const provider = new EcrCredentialProvider({
    clientFor: (region) => {
      regions.push(region);
      return new ECRClient({
        region,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
    },
  });
  const credentials = await provider.getCredentials(host);
  if (credentials === undefined) return undefined;
  expect(regions).toHaveLength(1);
  return regions[0];
}

function policyNaming(hosts: readonly string[]): string {
  const rules = hosts.map(
    (host, i) => `  - { name: r${i}, keys: [ci], match: { images: ["${host}/team/app:*"] } }`,
  );
  return `keys: [{ name: ci, kms: alias/ci }]\nrules:\n${rules.join('\n')}\n`;
}

describe('ECR host forms: runtime credentials and IAM grants agree', () => {
  beforeAll(() => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:password').toString('base64'),
          expiresAt: new Date(Date.now() + 12 * 3600_000),
          proxyEndpoint: 'https://example.invalid',
        },
      ],
    });
  });
  afterAll(() => ecr.restore());

  it.each(ECR_FORMS.map((f) => [f.form, f] as const))(
    '%s: the runtime asks ECR for a token in the host region, and the policy scope needs ECR',
    async (_form, f) => {
      expect(await runtimeTokenRegion(f.host)).toBe(f.region);
      expect(policyScope(parsePolicy(policyNaming([f.host]), { source: 't' })).needsEcr).toBe(true);
    },
  );

  it.each(NOT_ECR)('%s: no ECR token at runtime, and the policy scope needs no ECR', async (host) => {
    expect(await runtimeTokenRegion(host)).toBeUndefined();
    expect(policyScope(parsePolicy(policyNaming([host]), { source: 't' })).needsEcr).toBe(false);
  });

  it('the construct grants GetAuthorizationToken and each repository in its own partition and region', () => {
    const { template } = synthGuard({ policyFile: writePolicy(policyNaming(ECR_FORMS.map((f) => f.host))) });
    expect(statementsFor(template, 'ecr:GetAuthorizationToken')).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ]);
    const read = statementsFor(template, 'ecr:BatchGetImage');
    expect(read).toHaveLength(1);
    const granted = resourcesOf(read[0]!).map(render);
    for (const f of ECR_FORMS) {
      expect(granted).toContain(`arn:${f.partition}:ecr:${f.region}:${ACCOUNT}:repository/team/app`);
    }
    // The dual-stack and FIPS forms share the repository ARN of the regular endpoint.
    expect(new Set(granted).size).toBe(granted.length);
  });

  it('the construct grants no ECR or ECR Public access for hosts the runtime does not treat as ECR', () => {
    const { template } = synthGuard({ policyFile: writePolicy(policyNaming(NOT_ECR)) });
    const actions = iamStatements(template).flatMap(actionsOf);
    expect(actions.filter((a) => /^(ecr|ecr-public):/.test(a) || a === 'sts:GetServiceBearerToken')).toEqual(
      [],
    );
  });
});
