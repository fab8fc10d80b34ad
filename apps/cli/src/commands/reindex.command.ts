import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { isResourceType } from '@continuum/fhir';
import { BulkWriter, ReindexJob, SearchIndexManager, SearchIndexNaming } from '@continuum/search';
import { ResourceSourceReader } from '@continuum/store';
import { withCliContext } from '../cli-context';

/** `reindex [--type <ResourceType>]`: rebuilds search indices from Postgres and swaps the aliases; queries keep working. */
export function registerReindex(program: Command): void {
  program
    .command('reindex')
    .description(
      'Rebuild the Elasticsearch indices from Postgres into fresh indices and swap the aliases atomically',
    )
    .option(
      '-t, --type <ResourceType>',
      'only the index family holding this type (patient, or clinical for the rest)',
    )
    .option('--page-size <n>', 'rows read from Postgres and written per bulk request', '1000')
    .option('--no-progress', 'no progress bar')
    .action(async (options: { type?: string; pageSize: string; progress: boolean }) => {
      if (options.type && !isResourceType(options.type))
        throw new Error(`'${options.type}' is not an R4 resource type`);
      const pageSize = Number(options.pageSize);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000)
        throw new Error('--page-size must be 1 to 10000');
      await withCliContext(async (context) => {
        const indices = new SearchIndexManager(
          context.elasticsearch,
          new SearchIndexNaming(context.config.elasticsearch.indexPrefix),
        );
        const job = new ReindexJob(
          new ResourceSourceReader(context.sql),
          indices,
          new BulkWriter(context.elasticsearch),
          context.logger,
        );
        for (const family of ReindexJob.familiesFor(options.type)) {
          const bar = options.progress && process.stderr.isTTY ? progressBar(family) : undefined;
          let started = false;
          const result = await job
            .run(family, {
              pageSize,
              onProgress: ({ done, total }) => {
                if (started) {
                  bar?.setTotal(total);
                  bar?.update(done);
                } else bar?.start(total, done);
                started = true;
              },
            })
            .finally(() => bar?.stop());
          process.stdout.write(
            `${family}: ${result.documents} documents into ${result.index} in ${result.seconds.toFixed(1)} s` +
              ` (${Math.round(result.documents / Math.max(result.seconds, 0.001))}/s), ${result.failures} refused;` +
              ` replaced ${result.replaced.join(', ') || 'nothing'}\n`,
          );
          if (result.failures > 0) process.exitCode = 1;
        }
      });
    });
}

function progressBar(family: string): SingleBar {
  return new SingleBar(
    {
      stream: process.stderr,
      format: `${family.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
}
