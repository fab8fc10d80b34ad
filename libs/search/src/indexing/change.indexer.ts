import { searchFamilyOf } from '@continuum/fhir';
import type { Logger } from '@continuum/observability';
import type { BulkWriter, IndexAction } from './bulk.writer';
import { changeEventKey, type ChangeEvent } from './change-event';
import type { IndexingMetrics } from './indexing.metrics';
import type { ResourceSource } from './resource-source.port';
import type { SearchIndexManager } from './search-index.manager';
import { documentOf } from './source-document';

export interface ChangeIndexResult {
  changes: number;
  documents: number;
  failures: number;
}

/**
 * Applies a batch of change events: reads the current rows of the changed resources in one query (a burst of
 * updates to one resource becomes one write of its latest version), maps them, and bulk-writes them with external
 * versions to every index behind the write aliases. Throws on a transient Elasticsearch or Postgres fault, so the
 * consumer retries the batch without committing; a permanent per-document error is logged and counted instead.
 */
export class ChangeIndexer {
  constructor(
    private readonly source: ResourceSource,
    private readonly indices: SearchIndexManager,
    private readonly writer: BulkWriter,
    private readonly logger: Logger,
    private readonly metrics?: IndexingMetrics,
  ) {}

  async index(events: ChangeEvent[]): Promise<ChangeIndexResult> {
    if (events.length === 0) return { changes: 0, documents: 0, failures: 0 };
    // Targets first, rows second: a rebuild that starts after this read scans rows at least as new as ours.
    const targets = await this.indices.writeTargets();
    const refs = [...new Map(events.map((event) => [changeEventKey(event), event])).values()];
    const rows = await this.source.loadCurrent(refs);

    const actions: IndexAction[] = [];
    let failures = 0;
    for (const row of rows) {
      try {
        const document = documentOf(row);
        for (const target of targets.get(searchFamilyOf(row.resourceType)) ?? [])
          actions.push({ target, document });
      } catch (error) {
        failures++;
        this.metrics?.failures.inc({ reason: 'mapping' });
        this.logger.error(
          { ref: `${row.resourceType}/${row.id}`, versionId: row.versionId, err: errorOf(error) },
          'could not build the search document',
        );
      }
    }

    const timer = this.metrics?.bulkSeconds.startTimer();
    // An explicit refresh per chunk rather than wait_for: the consumer handles one partition's chunk at a time, so
    // waiting up to refresh_interval (1 s) per chunk would cap throughput; a chunk is hundreds of documents, so the
    // refresh cost is shared (see docs/search-elasticsearch.md for the measurements).
    const outcome = await this.writer.write(actions, { refresh: true });
    timer?.();
    const searchableAt = Date.now();
    for (const event of events)
      this.metrics?.lagSeconds.observe(Math.max(0, searchableAt - Date.parse(event.changedAt)) / 1000);
    this.metrics?.documents.inc({ outcome: 'written' }, outcome.written);
    this.metrics?.documents.inc({ outcome: 'conflict' }, outcome.conflicts);
    this.metrics?.documents.inc({ outcome: 'retired' }, outcome.retired);
    for (const failure of outcome.failures) {
      failures++;
      this.metrics?.failures.inc({ reason: failure.type });
      this.logger.error(
        {
          ref: failure.ref,
          index: failure.target,
          status: failure.status,
          type: failure.type,
          reason: failure.reason,
        },
        'Elasticsearch refused a document',
      );
    }
    return { changes: events.length, documents: outcome.written, failures };
  }
}

function errorOf(error: unknown): { type: string; message: string } {
  return error instanceof Error
    ? { type: error.name, message: error.message }
    : { type: 'unknown', message: String(error) };
}
