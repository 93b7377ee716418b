/**
 * Docker Hub's names are one fact: the reference parser, the registry endpoint and the Docker config
 * credentials all take them from reference/docker-hub.ts, so each alias means Docker Hub to all three.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOCKER_HUB, DOCKER_HUB_API_HOST, isDockerHub } from '../../lambda/reference/docker-hub';
import { parseImageReference } from '../../lambda/reference/parse';
import { DockerConfigCredentialProvider } from '../../lambda/registry/credentials/docker-config-provider';
import { apiHost } from '../../lambda/registry/endpoint';

const ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Index.Docker.IO'];
const NOT_HUB = ['hub.docker.com', 'docker.com', 'evil.docker.io.example', 'ghcr.io', 'localhost:5000'];

function dockerConfigWith(key: string): DockerConfigCredentialProvider {
  const dir = mkdtempSync(path.join(tmpdir(), 'docker-config-'));
  const auth = Buffer.from('user:secret').toString('base64');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [key]: { auth } } }));
  return new DockerConfigCredentialProvider({ configDir: dir, env: {} });
}

describe('Docker Hub aliases', () => {
  it.each(ALIASES)('%s is Docker Hub to the parser, the endpoint and the Docker config', async (alias) => {
    expect(isDockerHub(alias)).toBe(true);
    expect(parseImageReference(`${alias}/library/nginx:1.27`).registry).toBe(DOCKER_HUB);
    expect(apiHost(alias)).toBe(DOCKER_HUB_API_HOST);
    // Credentials filed under the alias (as `docker login` does) serve every Docker Hub name.
    const provider = dockerConfigWith(`https://${alias}/v1/`);
    for (const other of ALIASES) {
      expect(await provider.getCredentials(other)).toEqual({
        kind: 'basic',
        username: 'user',
        password: 'secret',
      });
    }
  });

  it.each(NOT_HUB)('%s is not Docker Hub to any of them', async (host) => {
    expect(isDockerHub(host)).toBe(false);
    expect(parseImageReference(`${host}/team/app:1`).registry).toBe(host.toLowerCase());
    expect(apiHost(host)).toBe(host);
    expect(await dockerConfigWith(`https://index.docker.io/v1/`).getCredentials(host)).toBeUndefined();
  });
});
