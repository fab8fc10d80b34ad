import type { Command } from 'commander';
import { PersonQueries } from '@continuum/store';
import { withCliContext } from '../cli-context';

/**
 * `identity:persons`: persons whose linked records span at least `--min-sources` source systems, one per line
 * (person id, its patient ids comma-separated, its sources comma-separated; tab-separated). The demo uses it to
 * show a person the master patient index joined across sources; an operator, to see what it joined.
 */
export function registerIdentityPersons(program: Command): void {
  program
    .command('identity:persons')
    .description('List persons whose linked source Patients come from at least --min-sources source systems')
    .option('--min-sources <n>', 'source systems a person spans at least', '3')
    .option('--limit <n>', 'persons listed at most', '10')
    .action(async (options: { minSources: string; limit: string }) => {
      const minSources = Number(options.minSources);
      const limit = Number(options.limit);
      if (!Number.isInteger(minSources) || minSources < 1) throw new Error('--min-sources must be 1 or more');
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('--limit must be 1 to 1000');
      await withCliContext(async (context) => {
        const persons = await new PersonQueries(context.sql).personsAcrossSources(minSources, limit);
        for (const person of persons)
          process.stdout.write(
            `${person.personId}\t${person.patientIds.join(',')}\t${[...person.sources].sort().join(',')}\n`,
          );
      });
    });
}
