import { backoffDelayMs, sleep, withRetry } from '../../lambda/aws/retry';

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const denied = () => Object.assign(new Error('no'), { name: 'AccessDeniedException' });

function harness() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe('withRetry', () => {
  it('retries throttling with exponential full-jitter back-off until it succeeds', async () => {
    const h = harness();
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 4) throw throttled();
        return 'ok';
      },
      { attempts: 6, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.5, now: h.now, sleep: h.sleep },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(4);
    expect(h.waits).toEqual([50, 100, 150]); // ceilings 100, 200, 300 (capped)
  });

  it('does not retry a final answer', async () => {
    const h = harness();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw denied();
        },
        { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000, now: h.now, sleep: h.sleep },
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(calls).toBe(1);
  });

  it('stops at the attempt limit and before a wait would pass the deadline, throwing the last error', async () => {
    const h = harness();
    let calls = 0;
    const fail = async () => {
      calls += 1;
      throw throttled();
    };
    await expect(
      withRetry(fail, {
        attempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        random: () => 1,
        now: h.now,
        sleep: h.sleep,
      }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(calls).toBe(3);
    calls = 0;
    const fresh = harness();
    await expect(
      withRetry(fail, {
        attempts: 10,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        random: () => 1,
        deadline: 350,
        now: fresh.now,
        sleep: fresh.sleep,
      }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    // waits 100 (t=100), 200 (t=300); 400 would end past 350
    expect(calls).toBe(3);
  });
});

describe('backoffDelayMs', () => {
  it('never exceeds the cap', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      expect(backoffDelayMs(attempt, 200, 5000, () => 0.999)).toBeLessThan(5000);
    }
  });
});

describe('sleep', () => {
  it('is cut short by the signal with a retryable TIMEOUT', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
