import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleRequest } from './http';
import { createTestPki, type TestPki } from './pki';
import { createTokenSigner, startTokenServer, type TokenServer } from './token-server';

const run = promisify(execFile);

/** Where a test talks to a registry (the registry itself, a fault proxy, or a referrers front). */
export interface RegistryEndpoint {
  /** `127.0.0.1:<port>`: the registry part of references and `RepositoryRef.registry`. */
  host: string;
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  /** The CA that signed the server certificate (https endpoints). */
  caPem?: string;
  /** Basic credentials the registry (or its token service) accepts, if it requires any. */
  credentials?: { username: string; password: string };
}

export interface StartRegistryOptions {
  /** Serve https with a throwaway CA (`caPem` in the result). Default false (plain HTTP). */
  tls?: boolean;
  /**
   * Require these credentials. Alone: htpasswd (HTTP Basic) auth. With `tokenAuth`: the token
   * service requires them as Basic credentials.
   */
  htpasswd?: { username: string; password: string };
  /**
   * Real Bearer token auth (distribution `auth: token`) with a loopback token service that
   * signs ES256 JWTs. `true` or options: token lifetime, an accepted identity (refresh) token.
   */
  tokenAuth?: boolean | { expiresInSeconds?: number; identityToken?: string };
}

/** A running `docker-registry` (CNCF distribution 2.8.2) on 127.0.0.1. */
export interface StartedRegistry extends RegistryEndpoint {
  tls: boolean;
  /** The CA and server certificate (tls only): reuse it for proxies that must be https too. */
  pki?: TestPki;
  /** The token service (tokenAuth only): realm, and the requests it received. */
  tokenServer?: TokenServer;
  /** The temporary directory holding config.yml, storage and htpasswd (deleted by `stop`). */
  dir: string;
  /** The `docker-registry` process id. */
  pid: number;
  /** Stops the registry (and token service) and deletes its storage and certificates. */
  stop(): Promise<void>;
}

const TOKEN_SERVICE = 'ecs-image-guard-test-registry';
const TOKEN_ISSUER = 'ecs-image-guard-test-issuer';
const running = new Set<ChildProcess>();
// A crashed test run must not leave registries behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function registryConfig(
  dir: string,
  port: number,
  pki: TestPki | undefined,
  auth: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: path.join(dir, 'data') }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: 'ecs-image-guard-test-secret',
      relativeurls: true,
      ...(pki ? { tls: { certificate: pki.files.cert, key: pki.files.key } } : {}),
    },
    ...(auth ? { auth } : {}),
  };
}

/** Polls GET /v2/ until the registry answers 200 or 401, the process exits, or 10 s pass. */
async function waitUntilReady(
  url: string,
  caPem: string | undefined,
  child: ChildProcess,
  log: () => string,
) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await simpleRequest(`${url}/v2/`, { timeoutMs: 1000, ...(caPem ? { ca: caPem } : {}) });
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry at ${url} did not become ready in 10 s: ${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs the real `docker-registry` binary on 127.0.0.1 and a free port, with a temporary
 * config.yml and storage: plain HTTP, or TLS with a throwaway CA (`tls`); htpasswd Basic auth
 * (`htpasswd`, via `htpasswd -Bbn`); or real Bearer token auth (`tokenAuth`). Resolves once
 * GET /v2/ answers. Always call `stop()` (e.g. in afterAll).
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<StartedRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-image-guard-registry-'));
  let pki: TestPki | undefined;
  let tokenServer: TokenServer | undefined;
  const cleanup = async (): Promise<void> => {
    await tokenServer?.stop();
    await pki?.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(path.join(dir, 'data'));
    if (options.tls) pki = await createTestPki();

    let auth: Record<string, unknown> | undefined;
    if (options.tokenAuth) {
      const settings = typeof options.tokenAuth === 'object' ? options.tokenAuth : {};
      const signer = await createTokenSigner(dir);
      tokenServer = await startTokenServer({
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        signer,
        ...(options.htpasswd ? { credentials: options.htpasswd } : {}),
        ...(settings.identityToken ? { identityToken: settings.identityToken } : {}),
        ...(settings.expiresInSeconds ? { expiresInSeconds: settings.expiresInSeconds } : {}),
        ...(pki ? { pki } : {}),
      });
      auth = {
        token: {
          realm: tokenServer.realm,
          service: TOKEN_SERVICE,
          issuer: TOKEN_ISSUER,
          rootcertbundle: signer.certFile,
        },
      };
    } else if (options.htpasswd) {
      const { stdout } = await run('htpasswd', [
        '-Bbn',
        options.htpasswd.username,
        options.htpasswd.password,
      ]);
      const file = path.join(dir, 'htpasswd');
      await writeFile(file, stdout);
      auth = { htpasswd: { realm: 'ecs-image-guard-test', path: file } };
    }

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const configFile = path.join(dir, 'config.yml');
      // YAML is a superset of JSON, so the config is written as JSON (no quoting pitfalls).
      await writeFile(configFile, JSON.stringify(registryConfig(dir, port, pki, auth), null, 2));
      const child = spawn('docker-registry', ['serve', configFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      });
      running.add(child);
      let output = '';
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-4000);
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const host = `127.0.0.1:${port}`;
      const url = `${pki ? 'https' : 'http'}://${host}`;
      try {
        await waitUntilReady(url, pki?.caPem, child, () => output);
      } catch (e) {
        await stopChild(child);
        // The free port may have been taken between probing and binding; try another.
        if (attempt < 3) continue;
        throw e;
      }
      const registry: StartedRegistry = {
        host,
        url,
        tls: pki !== undefined,
        dir,
        pid: child.pid ?? -1,
        stop: async () => {
          await stopChild(child);
          await cleanup();
        },
      };
      if (pki) {
        registry.caPem = pki.caPem;
        registry.pki = pki;
      }
      if (options.htpasswd) registry.credentials = { ...options.htpasswd };
      if (tokenServer) registry.tokenServer = tokenServer;
      return registry;
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
}
