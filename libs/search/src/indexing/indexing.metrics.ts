import { Counter, Histogram, type Registry } from 'prom-client';

/** Indexer metrics: throughput, failures and commit-to-searchable lag. */
export class IndexingMetrics {
  readonly documents: Counter<'outcome'>;
  readonly failures: Counter<'reason'>;
  readonly lagSeconds: Histogram;
  readonly bulkSeconds: Histogram;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.documents = new Counter({
      name: 'continuum_indexer_documents_total',
      help: 'Documents sent to Elasticsearch by outcome (written, conflict = a newer version was there, retired)',
      labelNames: ['outcome'],
      registers,
    });
    this.failures = new Counter({
      name: 'continuum_indexer_failures_total',
      help: 'Changes that could not be indexed for good (mapping errors, unreadable events), logged with the ref',
      labelNames: ['reason'],
      registers,
    });
    this.lagSeconds = new Histogram({
      name: 'continuum_indexer_commit_to_searchable_seconds',
      help: 'Time from the version being written in Postgres to the bulk write being searchable (refresh included)',
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300],
      registers,
    });
    this.bulkSeconds = new Histogram({
      name: 'continuum_indexer_bulk_seconds',
      help: 'Duration of one bulk write, refresh wait included',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
  }
}
