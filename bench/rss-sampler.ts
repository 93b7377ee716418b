/**
 * Samples this process's resident set size on a timer, so a phase's peak can be reported next
 * to the kernel's own high-water mark (process.resourceUsage().maxRSS).
 */
export interface RssSampler {
  /** Starts a new window; `windowPeakMb` then reports the peak since this call. */
  beginWindow(): void;
  windowPeakMb(): number;
  /** Peak of every sample taken since the sampler started. */
  peakMb(): number;
  /** Peak V8 heapUsed since the sampler started (what is live, as opposed to what V8 reserved). */
  heapPeakMb(): number;
  /** The kernel's maximum RSS of this process so far (ru_maxrss). */
  maxRssMb(): number;
  stop(): void;
}

const MB = 1024 * 1024;

export function startRssSampler(intervalMs = 20): RssSampler {
  let peak = 0;
  let windowPeak = 0;
  let heapPeak = 0;
  const sample = (): void => {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > peak) peak = rss;
    if (rss > windowPeak) windowPeak = rss;
    if (heapUsed > heapPeak) heapPeak = heapUsed;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    beginWindow: () => {
      windowPeak = 0;
      sample();
    },
    windowPeakMb: () => {
      sample();
      return windowPeak / MB;
    },
    peakMb: () => {
      sample();
      return peak / MB;
    },
    heapPeakMb: () => {
      sample();
      return heapPeak / MB;
    },
    // ru_maxrss is in kilobytes on Linux.
    maxRssMb: () => (process.resourceUsage().maxRSS * 1024) / MB,
    stop: () => clearInterval(timer),
  };
}
