import { TokenBucket } from '../../lambda/sweep/token-bucket';

function bucket(ratePerSecond: number, burst: number) {
  const clock = { now: 0 };
  const slept: number[] = [];
  const b = new TokenBucket({
    ratePerSecond,
    burst,
    now: () => clock.now,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
  });
  return { b, clock, slept };
}

describe('TokenBucket', () => {
  it('serves the burst at once, then one token per 1/rate seconds', async () => {
    const { b, slept } = bucket(4, 3);
    for (let i = 0; i < 7; i++) await b.take();
    expect(slept).toEqual([250, 250, 250, 250]);
    expect(b.waits).toBe(4);
    expect(b.waitedMs).toBe(1000);
  });

  it('refills with time, never above the burst', async () => {
    const { b, clock, slept } = bucket(10, 2);
    await b.take();
    await b.take();
    clock.now += 60_000;
    await b.take();
    await b.take();
    expect(slept).toEqual([]);
    await b.take();
    expect(slept).toEqual([100]);
  });

  it('rejects a rate or burst that could never serve a call', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});
