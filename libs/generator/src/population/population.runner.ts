import type { TextFileWriter } from '../output/text-file.writer';
import type { PopulationGenerator } from './population.generator';
import { PopulationTally, type PopulationSummary } from './population.tally';

export interface PopulationRunOptions {
  onProgress?: (persons: number, records: number) => void;
  /** Injected clock (ms) for elapsed time; the generator itself never reads it. */
  now?: () => number;
}

export interface PopulationRunSummary extends PopulationSummary {
  elapsedMs: number;
  recordsPerSecond: number;
  bytes: number;
}

/** Lines are handed to the file in chunks of about this many characters. */
const CHUNK = 1 << 18;

/**
 * Writes the labelled population as NDJSON, one record per line, and counts it. Memory holds one household and
 * one chunk of lines; the writer's backpressure paces generation.
 */
export async function writePopulation(generator: PopulationGenerator, out: TextFileWriter, options: PopulationRunOptions = {}): Promise<PopulationRunSummary> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tally = new PopulationTally();
  let lines: string[] = [];
  let size = 0;
  let persons = 0;
  let records = 0;
  for (const output of generator.households()) {
    tally.add(output);
    for (const r of output.records) {
      const line = JSON.stringify(r.label);
      lines.push(line);
      size += line.length;
    }
    persons += output.household.members.length;
    records += output.records.length;
    if (size >= CHUNK) {
      await out.write(`${lines.join('\n')}\n`);
      lines = [];
      size = 0;
      options.onProgress?.(persons, records);
    }
  }
  if (lines.length > 0) await out.write(`${lines.join('\n')}\n`);
  await out.close();
  options.onProgress?.(persons, records);
  const elapsedMs = now() - started;
  return {
    ...tally.summary(),
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0,
    bytes: out.bytes,
  };
}
