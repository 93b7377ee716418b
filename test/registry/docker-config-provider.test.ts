import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReasonCode } from '../../lambda/reasons';
import { RegistryClient } from '../../lambda/registry/client';
import {
  ChainCredentialProvider,
  StaticCredentialProvider,
} from '../../lambda/registry/credentials/chain-provider';
import { DockerConfigCredentialProvider } from '../../lambda/registry/credentials/docker-config-provider';
import { pushImage, startRegistry, type PushedManifest, type StartedRegistry } from '../support/registry';
import { FAST, guardErrorOf, repoOf } from './client-for';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('DockerConfigCredentialProvider', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecs-image-guard-docker-config-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const writeConfig = (config: unknown): Promise<void> =>
    writeFile(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));

  it('reads $DOCKER_CONFIG/config.json: auth, identitytoken, username/password, URL-shaped keys', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub-user:hub:pass') },
        'ghcr.io': { identitytoken: 'refresh-token-1' },
        'https://registry.example.com:5000/v2/': { username: 'u', password: 'p' },
        'registry.example.com:5000': { auth: b64('exact:wins') },
        'empty.example.com': {},
      },
      credsStore: 'desktop',
    });
    const provider = new DockerConfigCredentialProvider({ env: { DOCKER_CONFIG: dir } });
    expect(provider.configPath).toBe(path.join(dir, 'config.json'));
    expect(await provider.getCredentials('docker.io')).toEqual({
      kind: 'basic',
      username: 'hub-user',
      password: 'hub:pass',
    });
    expect(await provider.getCredentials('registry-1.docker.io')).toEqual(
      await provider.getCredentials('docker.io'),
    );
    expect(await provider.getCredentials('GHCR.IO')).toEqual({
      kind: 'identity-token',
      token: 'refresh-token-1',
    });
    expect(await provider.getCredentials('registry.example.com:5000')).toEqual({
      kind: 'basic',
      username: 'exact',
      password: 'wins',
    });
    expect(await provider.getCredentials('registry.example.com')).toBeUndefined(); // the port is part of the key
    expect(await provider.getCredentials('empty.example.com')).toBeUndefined();
    expect(await provider.getCredentials('quay.io')).toBeUndefined();
  });

  it('has no credentials when the file does not exist', async () => {
    const provider = new DockerConfigCredentialProvider({ configDir: path.join(dir, 'missing') });
    expect(await provider.getCredentials('docker.io')).toBeUndefined();
  });

  it('reports unreadable configs and malformed auth entries as REGISTRY_AUTH', async () => {
    await writeConfig('{ not json');
    const broken = await guardErrorOf(
      new DockerConfigCredentialProvider({ configDir: dir }).getCredentials('x.io'),
    );
    expect(broken.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(broken.message).toContain('is not valid JSON');

    await writeConfig({ auths: { 'x.io': { auth: b64('no-colon') } } });
    const bad = await guardErrorOf(
      new DockerConfigCredentialProvider({ configDir: dir }).getCredentials('x.io'),
    );
    expect(bad.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(bad.message).toContain('"auth" entry for x.io');
  });

  it('chains providers: the first with credentials wins', async () => {
    await writeConfig({ auths: { 'a.io': { auth: b64('from:config') } } });
    const chain = new ChainCredentialProvider([
      new StaticCredentialProvider({ 'b.io': { kind: 'basic', username: 'from', password: 'static' } }),
      new DockerConfigCredentialProvider({ configDir: dir }),
    ]);
    expect(await chain.getCredentials('a.io')).toEqual({
      kind: 'basic',
      username: 'from',
      password: 'config',
    });
    expect(await chain.getCredentials('b.io')).toEqual({
      kind: 'basic',
      username: 'from',
      password: 'static',
    });
    expect(await chain.getCredentials('c.io')).toBeUndefined();
  });
});

describe('DockerConfigCredentialProvider with a real htpasswd registry', () => {
  let registry: StartedRegistry;
  let image: PushedManifest;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { username: 'docker-user', password: 'docker-pass' } });
    image = await pushImage(registry, 'cfg/app', 'v1');
    dir = await mkdtemp(path.join(tmpdir(), 'ecs-image-guard-docker-config-'));
    await writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: b64('docker-user:docker-pass') } } }),
    );
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with the credentials from DOCKER_CONFIG', async () => {
    const client = new RegistryClient({
      ...FAST,
      insecureRegistries: [registry.host],
      credentials: new DockerConfigCredentialProvider({ env: { DOCKER_CONFIG: dir } }),
    });
    expect((await client.getManifest(repoOf(registry, 'cfg/app'), 'v1'))?.digest).toBe(image.digest);
  });
});
