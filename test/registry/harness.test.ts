import { access } from 'node:fs/promises';
import {
  pushImage,
  simpleRequest,
  startFaultProxy,
  startReferrersFront,
  startRegistry,
  TestMediaType,
} from '../support/registry';

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('test harness', () => {
  it('startRegistry runs a real registry and stop() ends the process and removes its files', async () => {
    const registry = await startRegistry({ tls: true, htpasswd: { username: 'a', password: 'b' } });
    const ping = await simpleRequest(`${registry.url}/v2/`, { ca: registry.caPem! });
    expect(ping.status).toBe(401);
    expect(ping.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(processExists(registry.pid)).toBe(true);
    await registry.stop();
    expect(processExists(registry.pid)).toBe(false);
    await expect(access(registry.dir)).rejects.toThrow();
    await expect(access(registry.pki!.files.ca)).rejects.toThrow();
  });

  it('the fault proxy applies each rule only as often as asked and records requests', async () => {
    const registry = await startRegistry();
    const proxy = await startFaultProxy(registry, [
      { match: { method: 'GET', path: '/manifests/' }, times: 1, fault: { type: 'status', status: 418 } },
    ]);
    try {
      await pushImage(proxy, 'h/app', 'v1');
      const first = await simpleRequest(`${proxy.url}/v2/h/app/manifests/v1`, {
        headers: { accept: TestMediaType.OCI_MANIFEST },
      });
      const second = await simpleRequest(`${proxy.url}/v2/h/app/manifests/v1`, {
        headers: { accept: TestMediaType.OCI_MANIFEST },
      });
      expect([first.status, second.status]).toEqual([418, 200]);
      expect(proxy.applied()).toEqual([1]);
      expect(
        proxy.requests.filter((r) => r.method === 'GET' && r.url === '/v2/h/app/manifests/v1'),
      ).toHaveLength(2);
    } finally {
      await proxy.stop();
      await registry.stop();
    }
  });

  it('the referrers front answers the referrers API with an OCI index', async () => {
    const registry = await startRegistry();
    const front = await startReferrersFront(registry);
    try {
      const image = await pushImage(front, 'h/app', 'v1');
      const res = await simpleRequest(`${front.url}/v2/h/app/referrers/${image.digest}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(TestMediaType.OCI_INDEX);
      expect(JSON.parse(res.body.toString('utf8'))).toEqual({
        schemaVersion: 2,
        mediaType: TestMediaType.OCI_INDEX,
        manifests: [],
      });
    } finally {
      await front.stop();
      await registry.stop();
    }
  });
});
