import type { Command } from 'commander';
import { ConsentDirectiveWriter } from '@continuum/store';
import { withCliContext } from '../cli-context';

/**
 * `consent:rebuild`: derives the consent directives (objections, opt-outs) of every stored Consent again. Needed once
 * after migration CreateConsentDirectiveTable for Consents stored before it: until then those patients' consents are
 * not applied. Idempotent; `--after` resumes from the last key it printed.
 */
export function registerConsentRebuild(program: Command): void {
  program
    .command('consent:rebuild')
    .description(
      "Rebuild patients' consent directives from the stored Consent resources (idempotent, resumable)",
    )
    .option('--batch-size <n>', 'Consents per transaction', '500')
    .option('--after <resourceKey>', 'resume after this resource key (as printed by an interrupted run)')
    .action(async (options: { batchSize: string; after?: string }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new Error('--batch-size must be 1 to 10000');
      if (options.after !== undefined && !/^\d+$/.test(options.after))
        throw new Error('--after must be a resource key (digits)');
      await withCliContext(async (context) => {
        const done = await new ConsentDirectiveWriter().rebuild(context.sql, {
          batchSize,
          after: options.after,
          onBatch: (count, lastKey) =>
            process.stderr.write(`${count} Consents rebuilt (last key ${lastKey})\n`),
        });
        process.stdout.write(`consent directives rebuilt for ${done} Consents\n`);
      });
    });
}
