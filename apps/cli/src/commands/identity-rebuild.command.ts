import type { Command } from 'commander';
import {
  IdentityInitialLoad,
  IdentityLinker,
  IdentityLinks,
  IdentityRebuild,
  openIdentityDataSource,
} from '@continuum/store/identity';
import { withCliContext } from '../cli-context';

/**
 * `identity:rebuild`: links every stored Patient to a person (the master patient index), in batches, then scores
 * again the patients left POSSIBLE_MATCH. For a store loaded before linking on ingest, or after a model change.
 * An empty index is linked in memory (IdentityInitialLoad) unless `--stored-linker`; otherwise through the stored
 * linker. Idempotent (manual decisions are never touched); `--after` resumes from the last key it printed.
 */
export function registerIdentityRebuild(program: Command): void {
  program
    .command('identity:rebuild')
    .description(
      'Link every stored Patient to a person, then re-evaluate POSSIBLE_MATCH links (idempotent, resumable)',
    )
    .option(
      '--batch-size <n>',
      'Patients per batch, or per page of an initial load (and per progress line)',
      '5000',
    )
    .option('--concurrency <n>', 'batch slices linked at once', '2')
    .option('--after <resourceKey>', 'resume after this resource key (as printed by an interrupted run)')
    .option('--stored-linker', 'link an empty index through the stored linker too (a round trip per patient)')
    .action(
      async (options: { batchSize: string; concurrency: string; after?: string; storedLinker?: boolean }) => {
        const batchSize = Number(options.batchSize);
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
          throw new Error('--batch-size must be 1 to 10000');
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
          throw new Error('--concurrency must be 1 to 16');
        if (options.after !== undefined && !/^\d+$/.test(options.after))
          throw new Error('--after must be a resource key (digits)');
        await withCliContext(async (context) => {
          const dataSource = await openIdentityDataSource({
            ...context.config.database,
            poolSize: concurrency + 1,
          });
          try {
            const links = new IdentityLinks(dataSource);
            const linker = new IdentityLinker(dataSource, links);
            const initialLoad = options.storedLinker ? undefined : new IdentityInitialLoad(dataSource, links);
            const started = Date.now();
            const report = await new IdentityRebuild(dataSource, linker, initialLoad).rebuild({
              batchSize,
              concurrency,
              after: options.after,
              onProgress: ({ phase, done, last }) => {
                const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
                process.stderr.write(
                  phase === 're-evaluate'
                    ? `${done} POSSIBLE_MATCH patients re-evaluated\n`
                    : `${done} Patients linked${phase === 'initial-load' ? ' in memory' : ''} (last key ${last}, ${rate}/s)\n`,
                );
              },
            });
            process.stdout.write(
              `identity rebuilt (${report.mode === 'initial-load' ? 'initial load, in memory' : 'stored linker'}): ` +
                `${report.linked} Patients linked, ${report.reEvaluated} re-evaluated, ` +
                `${report.stillPossible} awaiting review\n`,
            );
          } finally {
            await dataSource.destroy();
          }
        });
      },
    );
}
