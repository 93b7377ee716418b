/**
 * A token bucket for the sweep's ECS calls. ECS throttles per account and region, and the sweep shares
 * those buckets with ECS's own scheduler, the event path and CI: it spends well below them (ListTasks
 * and DescribeTasks are "cluster resource read actions", burst 100 / 20 per s). Clock and sleep are
 * injected, so a test counts the waits without waiting.
 */
import { sleep as defaultSleep } from '../aws/retry';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** The most tokens held (and the starting amount). */
  burst: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Calls that had to wait for a token, and the total wait: reported by the sweep. */
  waits = 0;
  waitedMs = 0;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1))
      throw new Error('token bucket: ratePerSecond must be above 0 and burst at least 1');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => defaultSleep(ms));
    this.tokens = options.burst;
    this.last = this.now();
  }

  /** Takes one token, waiting for it when the bucket is empty. */
  async take(): Promise<void> {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return;
    }
    const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.options.ratePerSecond);
    this.waits += 1;
    this.waitedMs += waitMs;
    await this.sleep(waitMs);
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
  }
}
