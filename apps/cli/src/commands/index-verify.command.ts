import type { Command } from 'commander';
import { isResourceType } from '@continuum/fhir';
import { IndexVerifier, SearchIndexManager, SearchIndexNaming, type VerifyReport } from '@continuum/search';
import { ResourceSourceReader } from '@continuum/store';
import { withCliContext } from '../cli-context';

/** `index:verify [--type <ResourceType>]`: Postgres vs Elasticsearch counts and versions per type; exit 1 on drift. */
export function registerIndexVerify(program: Command): void {
  program
    .command('index:verify')
    .description(
      'Compare Postgres and Elasticsearch per resource type (counts, every id and version) and report drift',
    )
    .option('-t, --type <ResourceType>', 'only this resource type')
    .option('--json', 'print the report as JSON')
    .action(async (options: { type?: string; json?: boolean }) => {
      if (options.type && !isResourceType(options.type))
        throw new Error(`'${options.type}' is not an R4 resource type`);
      await withCliContext(async (context) => {
        const indices = new SearchIndexManager(
          context.elasticsearch,
          new SearchIndexNaming(context.config.elasticsearch.indexPrefix),
        );
        const verifier = new IndexVerifier(
          context.elasticsearch,
          new ResourceSourceReader(context.sql),
          indices,
        );
        const report = await verifier.verify({ resourceType: options.type });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        if (report.drift > 0) process.exitCode = 1;
      });
    });
}

export function formatReport(report: VerifyReport): string {
  const header = ['type', 'postgres live/all', 'index live/all', 'missing', 'extra', 'stale'];
  const rows = report.types.map((type) => [
    type.resourceType,
    `${type.postgres.live}/${type.postgres.total}`,
    `${type.elasticsearch.live}/${type.elasticsearch.total}`,
    String(type.missing),
    String(type.extra),
    String(type.stale),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const examples = report.types
    .flatMap((type) => type.examples)
    .slice(0, 20)
    .map((example) => `  ${example}`);
  return [
    line(header),
    ...rows.map(line),
    '',
    report.drift === 0 ? 'no drift' : `drift: ${report.drift} (examples below)`,
    ...examples,
    '',
  ].join('\n');
}
