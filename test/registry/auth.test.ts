import { ReasonCode } from '../../lambda/reasons';
import { RegistryClient } from '../../lambda/registry/client';
import { StaticCredentialProvider } from '../../lambda/registry/credentials/chain-provider';
import {
  pushImage,
  startFaultProxy,
  startRegistry,
  type PushedManifest,
  type StartedRegistry,
} from '../support/registry';
import { FAST, clientFor, guardErrorOf, repoOf } from './client-for';

const user = { username: 'ci-reader', password: 's3cret: with colon' };

describe('HTTP Basic (htpasswd) against distribution 2.8.2', () => {
  let registry: StartedRegistry;
  let image: PushedManifest;

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: user });
    image = await pushImage(registry, 'private/app', 'v1');
  });
  afterAll(async () => registry?.stop());

  it('answers the Basic challenge with the registry’s credentials, then sends them up front', async () => {
    const client = clientFor(registry);
    expect((await client.getManifest(repoOf(registry, 'private/app'), 'v1'))?.digest).toBe(image.digest);
    expect(client.stats.manifest).toBe(2); // 401, then 200
    expect((await client.getManifest(repoOf(registry, 'private/app'), image.digest))?.digest).toBe(
      image.digest,
    );
    expect(client.stats.manifest).toBe(3); // credentials sent up front
  });

  it('fails with REGISTRY_AUTH when no credentials are configured', async () => {
    const client = new RegistryClient({ ...FAST, caPem: registry.caPem });
    const error = await guardErrorOf(client.getManifest(repoOf(registry, 'private/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain('requires credentials (HTTP Basic) and none are configured');
  });

  it('fails with REGISTRY_AUTH when the credentials are wrong, after one attempt', async () => {
    const client = new RegistryClient({
      ...FAST,
      caPem: registry.caPem,
      credentials: new StaticCredentialProvider({
        [registry.host]: { kind: 'basic', username: 'ci-reader', password: 'x' },
      }),
    });
    const error = await guardErrorOf(client.getManifest(repoOf(registry, 'private/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain('denied access (HTTP 401)');
    expect(client.stats.manifest).toBe(2);
  });

  it('never sends one registry’s credentials to another registry', async () => {
    const other = await startRegistry();
    const proxy = await startFaultProxy(other);
    try {
      await pushImage(other, 'public/app', 'v1');
      const client = new RegistryClient({
        ...FAST,
        caPem: registry.caPem,
        insecureRegistries: [proxy.host],
        credentials: new StaticCredentialProvider({ [registry.host]: { kind: 'basic', ...user } }),
      });
      await client.getManifest(repoOf(registry, 'private/app'), 'v1');
      expect(await client.getManifest(repoOf(proxy, 'public/app'), 'v1')).toBeDefined();
      expect(proxy.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await proxy.stop();
      await other.stop();
    }
  });
});

describe('Bearer token flow (distribution `auth: token` + loopback token service)', () => {
  let anonymous: StartedRegistry; // token service grants anonymous tokens
  let protectedRegistry: StartedRegistry; // token service requires Basic credentials or an identity token
  let anonImage: PushedManifest;
  let protectedImage: PushedManifest;

  beforeAll(async () => {
    [anonymous, protectedRegistry] = await Promise.all([
      startRegistry({ tls: true, tokenAuth: { expiresInSeconds: 300 } }),
      startRegistry({ tls: true, htpasswd: user, tokenAuth: { identityToken: 'refresh-me' } }),
    ]);
    anonImage = await pushImage(anonymous, 'open/app', 'v1');
    protectedImage = await pushImage(protectedRegistry, 'closed/app', 'v1');
  });
  afterAll(async () => {
    await anonymous?.stop();
    await protectedRegistry?.stop();
  });

  it('gets an anonymous token with service and pull scope, then reuses it', async () => {
    const tokens = anonymous.tokenServer!;
    const before = tokens.requests.length;
    const client = clientFor(anonymous);
    for (let i = 0; i < 4; i++) {
      expect((await client.getManifest(repoOf(anonymous, 'open/app'), 'v1'))?.digest).toBe(anonImage.digest);
    }
    const issued = tokens.requests.slice(before);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      method: 'GET',
      service: 'ecs-image-guard-test-registry',
      scopes: ['repository:open/app:pull'],
      basicAuth: false,
      status: 200,
    });
    expect(client.stats).toMatchObject({ token: 1, manifest: 5 }); // one 401, then four with the token
  });

  it('shares one token request among concurrent reads of the same repository', async () => {
    const tokens = anonymous.tokenServer!;
    const before = tokens.requests.length;
    const client = clientFor(anonymous);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.getManifest(repoOf(anonymous, 'open/app'), 'v1')),
    );
    expect(results.every((m) => m?.digest === anonImage.digest)).toBe(true);
    expect(tokens.requests.length - before).toBe(1);
  });

  it('asks for a new token when the cached one is about to expire', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const client = clientFor(anonymous, { now: () => now, tokenExpiryMarginMs: 10_000 });
    const tokens = anonymous.tokenServer!;
    const before = tokens.requests.length;
    await client.getManifest(repoOf(anonymous, 'open/app'), 'v1');
    now += 289_000; // 300 s token, 10 s margin: still valid
    await client.getManifest(repoOf(anonymous, 'open/app'), 'v1');
    expect(tokens.requests.length - before).toBe(1);
    now += 2_000; // inside the margin
    expect((await client.getManifest(repoOf(anonymous, 'open/app'), 'v1'))?.digest).toBe(anonImage.digest);
    expect(tokens.requests.length - before).toBe(2);
  });

  it('uses a separate token per repository scope', async () => {
    await pushImage(anonymous, 'open/other', 'v1');
    const client = clientFor(anonymous);
    const tokens = anonymous.tokenServer!;
    const before = tokens.requests.length;
    await client.getManifest(repoOf(anonymous, 'open/app'), 'v1');
    await client.getManifest(repoOf(anonymous, 'open/other'), 'v1');
    await client.getManifest(repoOf(anonymous, 'open/app'), 'v1');
    expect(tokens.requests.slice(before).map((r) => r.scopes[0])).toEqual([
      'repository:open/app:pull',
      'repository:open/other:pull',
    ]);
  });

  it('sends the registry’s Basic credentials to the token realm', async () => {
    const tokens = protectedRegistry.tokenServer!;
    const before = tokens.requests.length;
    const client = clientFor(protectedRegistry);
    expect((await client.getManifest(repoOf(protectedRegistry, 'closed/app'), 'v1'))?.digest).toBe(
      protectedImage.digest,
    );
    expect(tokens.requests.slice(before)).toEqual([
      expect.objectContaining({ method: 'GET', basicAuth: true, account: user.username, status: 200 }),
    ]);
  });

  it('uses an identity token as an OAuth2 refresh_token grant (POST)', async () => {
    const tokens = protectedRegistry.tokenServer!;
    const before = tokens.requests.length;
    const client = new RegistryClient({
      ...FAST,
      caPem: protectedRegistry.caPem,
      credentials: new StaticCredentialProvider({
        [protectedRegistry.host]: { kind: 'identity-token', token: 'refresh-me' },
      }),
    });
    expect((await client.getManifest(repoOf(protectedRegistry, 'closed/app'), 'v1'))?.digest).toBe(
      protectedImage.digest,
    );
    expect(tokens.requests.slice(before)).toEqual([
      expect.objectContaining({ method: 'POST', grantType: 'refresh_token', basicAuth: false, status: 200 }),
    ]);
  });

  it('fails with REGISTRY_AUTH when the token service refuses the credentials', async () => {
    const client = new RegistryClient({
      ...FAST,
      caPem: protectedRegistry.caPem,
      credentials: new StaticCredentialProvider({
        [protectedRegistry.host]: { kind: 'basic', username: user.username, password: 'wrong' },
      }),
    });
    const error = await guardErrorOf(client.getManifest(repoOf(protectedRegistry, 'closed/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain(`refused a token as "${user.username}"`);
    expect(error.message).toContain('(HTTP 401)');
    const anon = new RegistryClient({ ...FAST, caPem: protectedRegistry.caPem });
    expect((await guardErrorOf(anon.getManifest(repoOf(protectedRegistry, 'closed/app'), 'v1'))).code).toBe(
      ReasonCode.REGISTRY_AUTH,
    );
  });
});

describe('Bearer token realm over plain HTTP', () => {
  let registry: StartedRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ tokenAuth: true });
    await pushImage(registry, 'http/app', 'v1');
  });
  afterAll(async () => registry?.stop());

  it('refuses an http realm unless its host is listed as insecure', async () => {
    const tokens = registry.tokenServer!;
    const before = tokens.requests.length;
    const error = await guardErrorOf(clientFor(registry).getManifest(repoOf(registry, 'http/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message).toContain(`refusing token realm http://${tokens.host}: it must use https`);
    expect(tokens.requests.length).toBe(before);

    const allowed = clientFor(registry, { insecureRegistries: [registry.host, tokens.host] });
    expect(await allowed.getManifest(repoOf(registry, 'http/app'), 'v1')).toBeDefined();
    expect(tokens.requests.length).toBe(before + 1);
  });
});
