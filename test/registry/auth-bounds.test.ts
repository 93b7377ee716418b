import { MAX_REMEMBERED_REGISTRIES, RegistryAuthenticator } from '../../lambda/registry/auth/authenticator';
import { TokenCache } from '../../lambda/registry/auth/token-cache';
import { VerificationBudget } from '../../lambda/registry/budget';
import type { HttpTransport, TransportRequest } from '../../lambda/registry/http-transport';
import type { CredentialProvider } from '../../lambda/registry/types';
import { ReasonCode } from '../../lambda/reasons';
import { guardErrorOf } from './client-for';

/** Every host has credentials; a token service (in memory) answers every token request. */
const credentials: CredentialProvider = {
  getCredentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }),
};

function tokenTransport(requests: TransportRequest[]): HttpTransport {
  return {
    send: async (request: TransportRequest, consume: (r: Response, u: URL) => Promise<unknown>) => {
      requests.push(request);
      return consume(
        new Response(JSON.stringify({ token: `t-${requests.length}`, expires_in: 300 })),
        request.url,
      );
    },
  } as unknown as HttpTransport;
}

function authenticator(requests: TransportRequest[] = []): RegistryAuthenticator {
  return new RegistryAuthenticator(tokenTransport(requests), credentials, {
    insecure: new Set(),
    tokenExpiryMarginMs: 0,
    maxCachedTokens: 10_000,
    now: Date.now,
  });
}

const SCOPE = 'repository:team/app:pull';

describe('RegistryAuthenticator per-host state is bounded', () => {
  it('remembers the Basic header of the most recent registries only', async () => {
    const auth = authenticator();
    const hosts = Array.from({ length: MAX_REMEMBERED_REGISTRIES + 50 }, (_, i) => `r${i}.example.com`);
    for (const host of hosts) await auth.answer(host, SCOPE, 'Basic realm="r"', undefined, undefined);
    expect(auth.cached(hosts[0] as string, SCOPE)).toBeUndefined();
    expect(auth.cached(hosts[hosts.length - 1] as string, SCOPE)).toMatch(/^Basic /);
  });

  it('remembers the token endpoint of the most recent registries only', async () => {
    const requests: TransportRequest[] = [];
    const auth = authenticator(requests);
    const hosts = Array.from({ length: MAX_REMEMBERED_REGISTRIES + 50 }, (_, i) => `r${i}.example.com`);
    for (const host of hosts) {
      await auth.answer(
        host,
        SCOPE,
        `Bearer realm="https://${host}/token",service="s"`,
        undefined,
        undefined,
      );
    }
    expect(requests).toHaveLength(hosts.length);
    // The token is still cached, but without its endpoint the first registry's header is forgotten.
    expect(auth.cached(hosts[0] as string, SCOPE)).toBeUndefined();
    expect(auth.cached(hosts[hosts.length - 1] as string, SCOPE)).toMatch(/^Bearer t-/);
  });

  it('refuses a realm too long to be an address, without asking it for a token', async () => {
    const requests: TransportRequest[] = [];
    const auth = authenticator(requests);
    const realm = `https://evil.example.com/${'a'.repeat(5000)}`;
    const error = await guardErrorOf(
      auth.answer('r.example.com', SCOPE, `Bearer realm="${realm}"`, undefined, undefined),
    );
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expect(error.message.length).toBeLessThan(300);
    expect(requests).toHaveLength(0);
  });
});

describe('TokenCache is bounded by bytes', () => {
  it('drops the least recently used tokens when their total passes the bound', () => {
    const cache = new TokenCache(1000, Date.now, 10_000);
    for (let i = 0; i < 100; i++) cache.set(`key-${i}`, 't'.repeat(1000), 60_000, 0);
    expect(cache.get('key-0')).toBeUndefined();
    expect(cache.get('key-99')).toBe('t'.repeat(1000));
  });
});

describe('token requests and verification budgets', () => {
  const ample = { maxRequests: 100, maxManifests: 100, maxLayers: 100, maxBytes: 1e9 };
  const bearer = 'Bearer realm="https://r.example.com/token",service="s"';

  it('the verification that starts a token request pays one request for it', async () => {
    const requests: TransportRequest[] = [];
    const budget = new VerificationBudget(ample);
    await authenticator(requests).answer('r.example.com', SCOPE, bearer, undefined, undefined, budget);
    expect(requests).toHaveLength(1);
    expect(budget.usage.requests).toBe(1);
  });

  it("one verification's spent budget does not fail another that needs the same token", async () => {
    const requests: TransportRequest[] = [];
    const auth = authenticator(requests);
    const spent = new VerificationBudget({ ...ample, maxRequests: 1 });
    spent.spendRequest('earlier work');
    const [refused, served] = await Promise.allSettled([
      auth.answer('r.example.com', SCOPE, bearer, undefined, undefined, spent),
      auth.answer('r.example.com', SCOPE, bearer, undefined, undefined, new VerificationBudget(ample)),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: ReasonCode.LIMIT_EXCEEDED } });
    expect(served).toMatchObject({ status: 'fulfilled', value: expect.stringMatching(/^Bearer t-/) });
    expect(requests).toHaveLength(1);
  });
});
