import { createKmsClient, createKmsClientFactory } from '../../lambda/keys/kms-client-factory';

describe('createKmsClientFactory', () => {
  it('shares one client per region and endpoint', () => {
    const clientFor = createKmsClientFactory();
    const a = clientFor('eu-west-1');
    expect(clientFor('eu-west-1')).toBe(a);
    expect(clientFor('us-east-2')).not.toBe(a);
    expect(clientFor('eu-west-1', 'localhost:4566')).not.toBe(a);
  });
});

describe('createKmsClient', () => {
  it('uses the region from the key ARN', async () => {
    expect(await (await createKmsClient('eu-west-1')).config.region()).toBe('eu-west-1');
  });

  it('speaks HTTPS to a custom awskms://HOST:PORT/ endpoint', async () => {
    const client = await createKmsClient('eu-west-1', 'localhost:4566');
    const endpoint = await (
      client.config.endpoint as () => Promise<{ protocol: string; hostname: string; port?: number }>
    )();
    expect(endpoint).toMatchObject({ protocol: 'https:', hostname: 'localhost', port: 4566 });
  });
});
