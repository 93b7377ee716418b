/** Time spent in garbage collection, from the runtime's own `gc` performance entries. */
import { PerformanceObserver } from 'node:perf_hooks';

export interface GcMeter {
  /** GC pause time (ms) and collections since the last reset. */
  read(): { ms: number; count: number };
  /** Lets pending entries arrive (they are delivered asynchronously). */
  settle(): Promise<void>;
  reset(): void;
  stop(): void;
}

export function startGcMeter(): GcMeter {
  let ms = 0;
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      ms += entry.duration;
      count += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    read: () => ({ ms, count }),
    settle: () => new Promise((resolve) => setTimeout(resolve, 5)),
    reset: () => {
      ms = 0;
      count = 0;
    },
    stop: () => observer.disconnect(),
  };
}
