import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  CORRUPTION_KINDS,
  DEFAULT_POPULATION_TODAY,
  MAX_POPULATION,
  PopulationGenerator,
  TextFileWriter,
  writePopulation,
  type CorruptionRates,
  type SourceFactors,
} from '@continuum/generator';
import type { RegisterCommand } from './index';

const SOURCE_KINDS = ['gp', 'acute', 'community', 'ooh', 'social'];

function persons(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_POPULATION)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_POPULATION}`);
  return n;
}

/** `a=0.1,b=0.2` into a record, keys checked against `known`, values between 0 and `max`. */
function assignments(known: readonly string[], max: number) {
  return (value: string, previous: Record<string, number> = {}): Record<string, number> => {
    const out = { ...previous };
    for (const part of value.split(',').filter(Boolean)) {
      const [key, raw] = part.split('=').map((s) => s.trim());
      const n = Number(raw);
      if (!known.includes(key))
        throw new InvalidArgumentError(`unknown '${key}'; choose from ${known.join(', ')}`);
      if (raw === undefined || !Number.isFinite(n) || n < 0 || n > max)
        throw new InvalidArgumentError(`${key} must be a number from 0 to ${max}`);
      out[key] = n;
    }
    return out;
  };
}

/** `generate:population`: the labelled synthetic population for identity-matching benchmarks, as NDJSON. */
export const registerGeneratePopulation: RegisterCommand = (program: Command) => {
  program
    .command('generate:population')
    .description(
      'Generate a labelled population (one source Patient per line, with the true person and its corruptions) for identity matching',
    )
    .requiredOption('--persons <n>', `number of people (at most ${MAX_POPULATION})`, persons)
    .option('--seed <seed>', 'seed: the same seed gives the same bytes', '1')
    .requiredOption('--out <file>', 'NDJSON file to write')
    .option('--today <date>', 'reference date: nobody is born after it', DEFAULT_POPULATION_TODAY)
    .option(
      '--rate <kind=rate,...>',
      `corruption rates, e.g. typo=0.05 (kinds: ${CORRUPTION_KINDS.join(', ')})`,
      assignments(CORRUPTION_KINDS, 1),
    )
    .option(
      '--source-factor <kind=factor,...>',
      `multiplier of every rate per source kind (${SOURCE_KINDS.join(', ')})`,
      assignments(SOURCE_KINDS, 100),
    )
    .option('--summary <file>', 'also write the JSON summary to this file')
    .action(
      async (opts: {
        persons: number;
        seed: string;
        out: string;
        today: string;
        rate?: Partial<CorruptionRates>;
        sourceFactor?: Partial<SourceFactors>;
        summary?: string;
      }) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.today))
          throw new InvalidArgumentError('--today must be YYYY-MM-DD');
        const generator = new PopulationGenerator({
          seed: opts.seed,
          persons: opts.persons,
          today: opts.today,
          rates: opts.rate,
          sourceFactors: opts.sourceFactor,
        });
        const bar = new SingleBar(
          {
            format:
              'generate:population [{bar}] {value}/{total} persons | {records} records | {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          undefined,
        );
        bar.start(opts.persons, 0, { records: 0 });
        const summary = await writePopulation(generator, new TextFileWriter(resolve(opts.out)), {
          onProgress: (done, records) => bar.update(done, { records }),
        });
        bar.stop();
        const text = `${JSON.stringify({ seed: opts.seed, out: resolve(opts.out), today: opts.today, rates: generator.rates, sourceFactors: generator.factors, ...summary, elapsedMs: Math.round(summary.elapsedMs) }, null, 2)}\n`;
        if (opts.summary) await writeFile(resolve(opts.summary), text);
        process.stdout.write(text);
      },
    );
};
