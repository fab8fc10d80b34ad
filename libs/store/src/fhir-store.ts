import type { SearchRequest } from '@continuum/fhir';
import type { Operation } from 'fast-json-patch';
import type { Bundle, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { BatchProcessor } from './bundle/batch.processor';
import { TransactionProcessor } from './bundle/transaction.processor';
import { BulkUpserter, type BulkEntry, type BulkEntryResult } from './bulk/bulk.upserter';
import { ResourceReader, type HistoryOptions } from './resource.reader';
import { ResourceWriter, type UpdateOptions } from './resource.writer';
import type { PersonQueries } from './identity/person.queries';
import { expandPersonFilters } from './identity/person-filters';
import type { CheckpointedScan, HistoryScope, RecordSearchOptions, ResourceStore } from './resource-store';
import type { KeyRangeCut } from './scan/key-ranges';
import type { ResourceSourceReader, ScanBoundaries, ScanOptions, ScannedResource } from './scan/resource-source.reader';
import type { ResourceSearcher, SearchResult } from './search/resource-searcher';
import type { WriteContext, WriteResult } from './store.types';
import { mappingTransientErrors } from './database/postgres-errors';
import { inTransaction } from './database/transaction.runner';
import { runStoredView, type ViewRowsPage, type ViewRunOptions } from './views/stored-view.runner';

/**
 * The plain door to the record, for workers that serve no person directly (ingest, the indexer, operator
 * commands): every FHIR interaction on persisted resources with no access checks, each write in its own transaction
 * (a transaction bundle in one), plus ingestion's bulk path. Errors are FhirErrors carrying the OperationOutcome.
 */
export class FhirStore implements ResourceStore {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly writer: ResourceWriter,
    private readonly reader: ResourceReader,
    private readonly searcher: ResourceSearcher,
    private readonly scanner: ResourceSourceReader,
    private readonly persons: PersonQueries,
    private readonly transactions: TransactionProcessor,
    private readonly batches: BatchProcessor,
    private readonly bulk: BulkUpserter,
  ) {}

  create<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: { ifNoneExist?: string } = {},
  ): Promise<WriteResult<T>> {
    return this.write(context, (tx) =>
      options.ifNoneExist
        ? this.writer.conditionalCreate(tx, resource, options.ifNoneExist, context)
        : this.writer.create(tx, resource, context),
    );
  }

  update<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write(context, (tx) => this.writer.update(tx, resource, context, options));
  }

  conditionalUpdate<T extends Resource>(
    resource: T,
    criteria: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write(context, (tx) =>
      this.writer.conditionalUpdate(tx, resource, criteria, context, options),
    );
  }

  patch(
    resourceType: string,
    id: string,
    operations: Operation[],
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write(context, (tx) => this.writer.patch(tx, resourceType, id, operations, context, options));
  }

  delete(
    resourceType: string,
    id: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write(context, (tx) => this.writer.delete(tx, resourceType, id, context, options));
  }

  conditionalDelete(
    resourceType: string,
    criteria: string,
    context: WriteContext = {},
  ): Promise<WriteResult> {
    return this.write(context, (tx) => this.writer.conditionalDelete(tx, resourceType, criteria, context));
  }

  read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return mappingTransientErrors(() => this.reader.read<T>(this.sql, resourceType, id));
  }

  vread<T extends Resource = Resource>(
    resourceType: string,
    id: string,
    versionId: string | number,
  ): Promise<T> {
    return mappingTransientErrors(() => this.reader.vread<T>(this.sql, resourceType, id, versionId));
  }

  /** Instance (type and id), type (type only) or system (neither) history. */
  history(scope: HistoryScope = {}, options: HistoryOptions = {}): Promise<Bundle> {
    return mappingTransientErrors(() => this.reader.history(this.sql, scope, options));
  }

  /**
   * A statement timeout answers 503 with a retry hint (an OperationOutcome), never an unknown error. `:person`
   * reference filters are expanded to the person's records first (person-filters.ts).
   */
  search(request: SearchRequest, options: RecordSearchOptions = {}): Promise<SearchResult> {
    return mappingTransientErrors(async () =>
      this.searcher.search(await expandPersonFilters(request, this.persons), { ...options, sql: this.sql }),
    );
  }

  personOf(patientId: string): Promise<string[]> {
    return this.persons.expand([patientId]);
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<ScannedResource[]> {
    const pages = this.scanner.scanPages(options);
    try {
      for (;;) {
        const page = await mappingTransientErrors(() => pages.next());
        if (page.done) return;
        yield page.value;
      }
    } finally {
      await pages.return(undefined); // a reader that stops early gives the scan's connection back
    }
  }

  scanBoundaries(options: ScanOptions, cut: KeyRangeCut): Promise<ScanBoundaries> {
    return mappingTransientErrors(() => this.scanner.keyBoundaries(options, cut));
  }

  runView(view: unknown, options: ViewRunOptions = {}): AsyncIterable<ViewRowsPage> {
    return runStoredView(this.sql, view, options);
  }

  /** The plain store audits nothing: the checkpoint's audit is empty. */
  scanCheckpointed(options: ScanOptions = {}): CheckpointedScan {
    return { pages: this.scan(options), auditCheckpoint: () => Promise.resolve() };
  }

  /** A `transaction` or `batch` Bundle; answers the matching `-response` Bundle. */
  processBundle(
    bundle: Bundle,
    context: WriteContext = {},
    options: { baseUrl?: string } = {},
  ): Promise<Bundle> {
    return bundle.type === 'batch'
      ? this.batches.process(bundle, context, options)
      : this.transactions.process(bundle, context, options);
  }

  /** One write in its own transaction, followed there by the caller's `inTransaction` step (its audit row). */
  private write<R extends WriteResult>(
    context: WriteContext,
    work: (tx: postgres.TransactionSql) => Promise<R>,
  ): Promise<R> {
    return inTransaction(this.sql, async (tx) => {
      const result = await work(tx);
      await context.inTransaction?.(tx, result);
      return result;
    });
  }

  /** Ingestion's bulk path: validated, versioned, guarded against stale or replayed copies; one result per entry. */
  upsertMany(entries: BulkEntry[], context: WriteContext = {}): Promise<BulkEntryResult[]> {
    return this.bulk.upsertMany(entries, context);
  }
}
