import { lazyClient } from '../../lambda/aws/lazy-client';

class FakeClient {
  constructor(readonly id: number) {}
  async send(command: string): Promise<string> {
    return `${this.id}:${command}`;
  }
}

describe('lazyClient', () => {
  it('creates the client on the first send only, then reuses it', async () => {
    let created = 0;
    const client = lazyClient(async () => new FakeClient(++created));
    expect(created).toBe(0);
    await expect(Promise.all([client.send('a'), client.send('b')])).resolves.toEqual(['1:a', '1:b']);
    await expect(client.send('c')).resolves.toBe('1:c');
    expect(created).toBe(1);
  });

  it('tries again after a failed creation', async () => {
    let attempts = 0;
    const client = lazyClient(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('module failed to load');
      return new FakeClient(attempts);
    });
    await expect(client.send('x')).rejects.toThrow('module failed to load');
    await expect(client.send('y')).resolves.toBe('2:y');
  });
});
