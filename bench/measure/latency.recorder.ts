/** Records latencies (ms, sub-ms precision) and summarises them by exact percentiles over the sorted samples. */
export class LatencyRecorder {
  private readonly samples: number[] = [];

  record(ms: number): void {
    this.samples.push(ms);
  }

  /** Times `fn` and records it. */
  async time<T>(fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.record(performance.now() - start);
    }
  }

  get count(): number {
    return this.samples.length;
  }

  summary(): LatencySummary {
    return summarise(this.samples);
  }

  /** Any nearest-rank percentile, e.g. 95. */
  at(p: number): number {
    return percentile(
      [...this.samples].sort((a, b) => a - b),
      p,
    );
  }
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile (as HdrHistogram reports it) of ascending `sorted`; p in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0];
  // Rounded first: 99.9% of 1000 is 999.0000000000001 in floating point, which must not rank as 1000.
  const rank = Math.ceil(Math.round((p / 100) * sorted.length * 1e6) / 1e6);
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    min: sorted.length ? sorted[0] : Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}
