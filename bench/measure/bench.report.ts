import type { RunResult } from '../suite';
import type { LatencySummary } from './latency.recorder';
import type { ProcessMemory } from './process-memory.sampler';

export interface RunFigures {
  label: string;
  operations: number;
  unit: string;
  elapsedMs: number;
  throughputPerSecond: number;
  bytes?: number;
  mibPerSecond?: number;
  latencyMs?: LatencySummary;
}

/** The JSON a suite run writes with --json: one object, stable field names, numbers not strings. */
export interface BenchReport {
  suite: string;
  description: string;
  startedAt: string;
  options: Record<string, string | number>;
  environment: { node: string; platform: string; cpus: number; cpuModel: string };
  result: RunFigures;
  reference: RunFigures;
  /** result throughput ÷ reference throughput: 1 means as fast as the physical floor allows. */
  ratioToReference: number;
  memory: ProcessMemory[];
}

export function figuresOf(run: RunResult): RunFigures {
  const seconds = run.elapsedMs / 1000;
  const figures: RunFigures = {
    label: run.label,
    operations: run.operations,
    unit: run.unit,
    elapsedMs: round(run.elapsedMs, 1),
    throughputPerSecond: seconds > 0 ? round(run.operations / seconds, 1) : 0,
  };
  if (run.bytes !== undefined) {
    figures.bytes = run.bytes;
    figures.mibPerSecond = seconds > 0 ? round(run.bytes / 1_048_576 / seconds, 1) : 0;
  }
  if (run.latency && run.latency.count > 0) figures.latencyMs = roundSummary(run.latency.summary());
  return figures;
}

export function ratio(result: RunFigures, reference: RunFigures): number {
  return reference.throughputPerSecond > 0
    ? round(result.throughputPerSecond / reference.throughputPerSecond, 3)
    : Number.NaN;
}

function roundSummary(s: LatencySummary): LatencySummary {
  return {
    count: s.count,
    min: round(s.min, 3),
    mean: round(s.mean, 3),
    p50: round(s.p50, 3),
    p90: round(s.p90, 3),
    p99: round(s.p99, 3),
    p999: round(s.p999, 3),
    max: round(s.max, 3),
  };
}

export function round(n: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(n * f) / f;
}

/** 1234567.8 → "1,234,568"; small values keep up to `dp` decimals. */
export function formatNumber(n: number | undefined, dp = 1): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  const digits = Math.abs(n) >= 100 ? 0 : dp;
  return n.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value, 1)} ${units[unit]}`;
}

/** A plain text table: first row is the header, numbers right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (s: string) => /^[-\d.,]+( [A-Za-z/]+)?$|^-$/.test(s);
  const line = (r: string[]) =>
    r
      .map((cell, c) => (numeric(cell) && c > 0 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The human-readable report: the two runs side by side, then latency percentiles and memory. */
export function renderReport(report: BenchReport): string {
  const { result, reference } = report;
  const run = (f: RunFigures) => [
    f.label,
    formatNumber(f.operations, 0),
    `${formatNumber(f.throughputPerSecond)} ${f.unit}/s`,
    formatNumber(f.elapsedMs / 1000, 2),
    formatBytes(f.bytes),
    f.mibPerSecond === undefined ? '-' : `${formatNumber(f.mibPerSecond)} MiB/s`,
  ];
  const out = [
    `suite ${report.suite}: ${report.description}`,
    `node ${report.environment.node}, ${report.environment.cpus} × ${report.environment.cpuModel}`,
    '',
    formatTable([
      ['run', 'operations', 'throughput', 'seconds', 'bytes', 'bandwidth'],
      run(result),
      run(reference),
    ]),
    '',
    `ratio to reference: ${formatNumber(report.ratioToReference, 3)} (1 = as fast as the physical reference)`,
  ];
  const latency = [result, reference].filter((f) => f.latencyMs);
  if (latency.length > 0) {
    out.push(
      '',
      formatTable([
        ['latency ms', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
        ...latency.map((f) => {
          const l = f.latencyMs!;
          return [
            f.label,
            formatNumber(l.count, 0),
            formatNumber(l.p50, 3),
            formatNumber(l.p90, 3),
            formatNumber(l.p99, 3),
            formatNumber(l.p999, 3),
            formatNumber(l.max, 3),
          ];
        }),
      ]),
    );
  }
  out.push(
    '',
    formatTable([
      ['process', 'pid', 'peak RSS MiB', 'VmHWM MiB'],
      ...report.memory.map((m) => [
        m.name,
        String(m.pid),
        formatNumber(m.peakRssMiB),
        formatNumber(m.hwmMiB),
      ]),
    ]),
  );
  return out.join('\n');
}
