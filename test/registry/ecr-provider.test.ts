import {
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  ServerException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ReasonCode } from '../../lambda/reasons';
import { isEcrRegistry } from '../../lambda/reference/ecr-host';
import { RegistryClient } from '../../lambda/registry/client';
import { EcrCredentialProvider } from '../../lambda/registry/credentials/ecr-provider';
import { pushImage, startRegistry, type PushedManifest, type StartedRegistry } from '../support/registry';
import { FAST, guardErrorOf, repoOf } from './client-for';

const ecr = mockClient(ECRClient);
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const HOST_OTHER_ACCOUNT = '210987654321.dkr.ecr.eu-west-1.amazonaws.com';
const HOST_US = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** A GetAuthorizationToken response shaped like the real one. */
function tokenResponse(password: string, expiresAt: Date) {
  return {
    $metadata: { httpStatusCode: 200 },
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
        expiresAt,
        proxyEndpoint: `https://${HOST}`,
      },
    ],
  };
}

function provider(now: () => number = Date.now) {
  const regions: string[] = [];
  const instance = new EcrCredentialProvider({
    clientFor: (region) => {
      regions.push(region);
      return new ECRClient({
        region,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
    },
    now,
  });
  return { instance, regions };
}

describe('EcrCredentialProvider (aws-sdk-client-mock)', () => {
  beforeEach(() => ecr.reset());

  it('turns the authorization token into Basic credentials and caches it per region', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves(tokenResponse('pw-1', new Date(Date.now() + 12 * 3600_000)));
    const { instance, regions } = provider();
    for (let i = 0; i < 5; i++) {
      expect(await instance.getCredentials(HOST)).toEqual({
        kind: 'basic',
        username: 'AWS',
        password: 'pw-1',
      });
    }
    expect(await instance.getCredentials(HOST_OTHER_ACCOUNT)).toEqual({
      kind: 'basic',
      username: 'AWS',
      password: 'pw-1',
    });
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    expect(regions).toEqual(['eu-west-1']);

    await instance.getCredentials(HOST_US);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('makes one call for many concurrent requests in a region', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves(tokenResponse('pw', new Date(Date.now() + 3600_000)));
    const { instance } = provider();
    const all = await Promise.all(Array.from({ length: 10 }, () => instance.getCredentials(HOST)));
    expect(new Set(all.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  it('refreshes the token 5 minutes before expiresAt', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolvesOnce(tokenResponse('first', new Date(now + 12 * 3600_000)))
      .resolvesOnce(tokenResponse('second', new Date(now + 24 * 3600_000)));
    const { instance } = provider(() => now);
    expect(await instance.getCredentials(HOST)).toMatchObject({ password: 'first' });
    now += 12 * 3600_000 - 5 * 60_000 - 1;
    expect(await instance.getCredentials(HOST)).toMatchObject({ password: 'first' });
    now += 1;
    expect(await instance.getCredentials(HOST)).toMatchObject({ password: 'second' });
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
  });

  it('has no credentials for hosts that are not ECR private registries, and makes no call', async () => {
    const { instance } = provider();
    for (const host of ['public.ecr.aws', 'docker.io', 'ghcr.io', `${HOST}.evil.example`, '127.0.0.1:5000']) {
      expect(await instance.getCredentials(host)).toBeUndefined();
    }
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
  });

  it('maps access errors to REGISTRY_AUTH and throttling/server errors to retryable REGISTRY_UNAVAILABLE', async () => {
    const { instance } = provider();
    ecr.on(GetAuthorizationTokenCommand).rejectsOnce(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'User is not authorized to perform: ecr:GetAuthorizationToken',
      }),
    );
    const denied = await guardErrorOf(instance.getCredentials(HOST));
    expect(denied.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(denied.retryable).toBe(false);
    expect(denied.message).toContain('AccessDeniedException');

    ecr.reset();
    ecr.on(GetAuthorizationTokenCommand).rejects(
      new ECRServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      }),
    );
    const throttled = await guardErrorOf(instance.getCredentials(HOST));
    expect(throttled).toMatchObject({ code: ReasonCode.REGISTRY_UNAVAILABLE, retryable: true });

    ecr.reset();
    ecr.on(GetAuthorizationTokenCommand).rejects(new ServerException({ $metadata: {}, message: 'internal' }));
    expect(await guardErrorOf(instance.getCredentials(HOST))).toMatchObject({
      code: ReasonCode.REGISTRY_UNAVAILABLE,
    });
  });

  it('rejects a response without a usable token', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves({ $metadata: {}, authorizationData: [{ authorizationToken: '!!!' }] });
    const error = await guardErrorOf(provider().instance.getCredentials(HOST));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain('no usable authorizationToken');
  });
});

describe('EcrCredentialProvider with a real registry playing ECR (HTTP Basic, user AWS)', () => {
  const password = 'eyJwYXlsb2FkIjoiZWNyLXRlc3QifQ==';
  let registry: StartedRegistry;
  let image: PushedManifest;

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: { username: 'AWS', password } });
    image = await pushImage(registry, 'team/api', 'prod');
  });
  afterAll(async () => registry?.stop());
  beforeEach(() => ecr.reset());

  it('sends the ECR token as Basic and calls GetAuthorizationToken once for many reads', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves(tokenResponse(password, new Date(Date.now() + 12 * 3600_000)));
    const credentials = new EcrCredentialProvider({
      clientFor: (region) =>
        new ECRClient({ region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' } }),
      // The loopback registry stands in for an ECR host.
      resolveHost: (host) => (host === registry.host ? isEcrRegistry(HOST) : undefined),
    });
    const client = new RegistryClient({ ...FAST, caPem: registry.caPem, credentials });
    for (let i = 0; i < 3; i++) {
      expect((await client.getManifest(repoOf(registry, 'team/api'), 'prod'))?.digest).toBe(image.digest);
    }
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    await client.close();
  });
});
