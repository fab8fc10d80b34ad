import type { LatencyRecorder } from './measure/latency.recorder';
import type { ProcessMemorySampler } from './measure/process-memory.sampler';

/** What one timed run did: `operations` units of `unit` in `elapsedMs`, optionally with per-operation latencies. */
export interface RunResult {
  label: string;
  operations: number;
  unit: string;
  elapsedMs: number;
  bytes?: number;
  latency?: LatencyRecorder;
}

export interface SuiteOptions {
  /** Size of the measured run, in the suite's unit (resources for most stages). */
  resources: number;
  /** Extra `--key value` options given on the command line. */
  extra: Record<string, string>;
}

/** Handed to every phase: options, a scratch directory, and the sampler to register other processes with. */
export interface SuiteContext {
  options: SuiteOptions;
  workDir: string;
  memory: ProcessMemorySampler;
  log: (line: string) => void;
}

/**
 * One benchmark per pipeline stage. The runner calls the phases in order, once each:
 * prepare (make data, start things; not timed) → warmup (not reported) → measure (the stage, timed) →
 * reference (the physical floor for the same work, timed in the same run) → teardown (always, even after a failure).
 */
export interface BenchSuite {
  name: string;
  description: string;
  /** Default size when `--resources` is not given. */
  defaultResources: number;
  prepare(ctx: SuiteContext): Promise<void>;
  warmup(ctx: SuiteContext): Promise<void>;
  measure(ctx: SuiteContext): Promise<RunResult>;
  reference(ctx: SuiteContext): Promise<RunResult>;
  teardown(ctx: SuiteContext): Promise<void>;
}
