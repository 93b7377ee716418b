import { ReasonCode } from '../../lambda/reasons';
import { RegistryClient } from '../../lambda/registry/client';
import { pushImage, startRegistry, type PushedManifest, type StartedRegistry } from '../support/registry';
import { FAST, clientFor, guardErrorOf, repoOf } from './client-for';

describe('RegistryClient transport security against a real registry', () => {
  let tlsRegistry: StartedRegistry;
  let plainRegistry: StartedRegistry;
  let tlsImage: PushedManifest;
  let plainImage: PushedManifest;

  beforeAll(async () => {
    [tlsRegistry, plainRegistry] = await Promise.all([startRegistry({ tls: true }), startRegistry()]);
    tlsImage = await pushImage(tlsRegistry, 'secure/app', 'v1');
    plainImage = await pushImage(plainRegistry, 'plain/app', 'v1');
  });
  afterAll(async () => {
    await tlsRegistry?.stop();
    await plainRegistry?.stop();
  });

  it('speaks TLS to a registry whose CA is configured', async () => {
    const client = clientFor(tlsRegistry);
    expect((await client.getManifest(repoOf(tlsRegistry, 'secure/app'), 'v1'))?.digest).toBe(tlsImage.digest);
    await client.close();
  });

  it('rejects the same registry without its CA, at once and without retrying', async () => {
    const client = new RegistryClient({ ...FAST });
    const error = await guardErrorOf(client.getManifest(repoOf(tlsRegistry, 'secure/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /TLS connection to 127\.0\.0\.1:\d+ failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)/,
    );
    expect(client.stats).toMatchObject({ total: 1, retries: 0 });
  });

  it('rejects a CA that did not sign the registry certificate', async () => {
    const other = await startRegistry({ tls: true });
    try {
      const client = new RegistryClient({ ...FAST, caPem: other.caPem });
      const error = await guardErrorOf(client.getManifest(repoOf(tlsRegistry, 'secure/app'), 'v1'));
      expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
      expect(error.message).toContain('TLS connection');
      await client.close();
    } finally {
      await other.stop();
    }
  });

  it('never speaks plain HTTP to a registry that is not listed as insecure', async () => {
    const client = new RegistryClient({ ...FAST });
    const error = await guardErrorOf(client.getManifest(repoOf(plainRegistry, 'plain/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expect(error.message).toContain('TLS connection');
    const otherPort = new RegistryClient({ ...FAST, insecureRegistries: ['127.0.0.1'] });
    expect((await guardErrorOf(otherPort.getManifest(repoOf(plainRegistry, 'plain/app'), 'v1'))).code).toBe(
      ReasonCode.REGISTRY_UNAVAILABLE,
    );
  });

  it('speaks plain HTTP to a registry listed as insecure (host:port, exact)', async () => {
    const client = new RegistryClient({ ...FAST, insecureRegistries: [plainRegistry.host] });
    expect((await client.getManifest(repoOf(plainRegistry, 'plain/app'), 'v1'))?.digest).toBe(
      plainImage.digest,
    );
  });
});
