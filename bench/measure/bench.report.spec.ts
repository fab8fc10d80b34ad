import { figuresOf, formatBytes, formatNumber, formatTable, ratio } from './bench.report';
import { LatencyRecorder } from './latency.recorder';

describe('bench report helpers', () => {
  it('formats numbers and bytes for people', () => {
    expect(formatNumber(1234567.89)).toBe('1,234,568');
    expect(formatNumber(12.345, 2)).toBe('12.35');
    expect(formatNumber(Number.NaN)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GiB');
  });

  it('computes throughput, bandwidth and the ratio to the reference', () => {
    const result = figuresOf({
      label: 'stage',
      operations: 10_000,
      unit: 'resources',
      elapsedMs: 2000,
      bytes: 4 * 1_048_576,
    });
    const reference = figuresOf({ label: 'floor', operations: 10_000, unit: 'resources', elapsedMs: 500 });
    expect(result.throughputPerSecond).toBe(5000);
    expect(result.mibPerSecond).toBe(2);
    expect(ratio(result, reference)).toBe(0.25);
  });

  it('includes latency percentiles when latencies were recorded', () => {
    const latency = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) latency.record(i);
    expect(
      figuresOf({ label: 'x', operations: 100, unit: 'ops', elapsedMs: 100, latency }).latencyMs?.p99,
    ).toBe(99);
  });

  it('aligns a table with numbers to the right', () => {
    const table = formatTable([
      ['run', 'n'],
      ['a', '5'],
      ['bbb', '1,000'],
    ]);
    expect(table.split('\n')).toEqual(['run  n    ', '---  -----', 'a        5', 'bbb  1,000']);
  });
});
