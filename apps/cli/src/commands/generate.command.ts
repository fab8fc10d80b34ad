import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  ALL_FORMATS,
  CommunityGenerator,
  DEFAULT_TODAY,
  FileOutputSink,
  MAX_PEOPLE,
  runGeneration,
  type OutputFormat,
} from '@continuum/generator';
import type { RegisterCommand } from './index';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function formats(value: string): OutputFormat[] {
  const list = value.split(',').map((f) => f.trim());
  const unknown = list.filter((f) => !(ALL_FORMATS as string[]).includes(f));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown format(s) ${unknown.join(', ')}; choose from ${ALL_FORMATS.join(', ')}`,
    );
  return list as OutputFormat[];
}

/** `generate`: a synthetic NHS integration community written as Kafka messages, FHIR NDJSON and transaction Bundles. */
export const registerGenerate: RegisterCommand = (program: Command) => {
  program
    .command('generate')
    .description('Generate a synthetic NHS population and its source-system feeds (deterministic for a seed)')
    .requiredOption('--patients <n>', `number of people (at most ${MAX_PEOPLE})`, positiveInt)
    .option('--seed <seed>', 'seed: the same seed gives the same bytes', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--format <list>', `comma-separated: ${ALL_FORMATS.join(',')}`, formats, ALL_FORMATS)
    .option('--start <index>', 'first person index (generate a range in chunks)', positiveInt, 0)
    .option('--today <date>', 'reference date the ten-year history ends at', DEFAULT_TODAY)
    .option(
      '--noise <share>',
      'share of non-GP records with demographic faults (default from settings.json)',
      parseFloat,
    )
    .action(
      async (opts: {
        patients: number;
        seed: string;
        out: string;
        format: OutputFormat[];
        start: number;
        today: string;
        noise?: number;
      }) => {
        if (opts.start + opts.patients > MAX_PEOPLE)
          throw new InvalidArgumentError(`start + patients must stay within ${MAX_PEOPLE}`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.today))
          throw new InvalidArgumentError('--today must be YYYY-MM-DD');
        const generator = new CommunityGenerator({
          seed: opts.seed,
          today: opts.today,
          formats: opts.format,
          noiseShare: opts.noise,
        });
        const sink = new FileOutputSink(resolve(opts.out), new Set(opts.format));
        const bar = new SingleBar(
          {
            format: 'generate [{bar}] {value}/{total} patients | {resources} resources | {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          undefined,
        );
        let resources = 0;
        bar.start(opts.patients, 0, { resources });
        const summary = await runGeneration(generator, sink, {
          patients: opts.patients,
          startIndex: opts.start,
          onPerson: (done, person) => {
            resources += person.resources.length;
            if (done % 10 === 0 || done === opts.patients) bar.update(done, { resources });
          },
        });
        bar.stop();
        process.stdout.write(
          `${JSON.stringify({ seed: opts.seed, out: resolve(opts.out), formats: opts.format, ...summary, elapsedMs: Math.round(summary.elapsedMs), bytes: sink.bytes, resourcesPerPatient: Math.round(summary.resources / Math.max(1, opts.patients)) }, null, 2)}\n`,
        );
      },
    );
};
