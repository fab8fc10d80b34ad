import type { SearchRequest } from '@continuum/fhir';
import type { Operation } from 'fast-json-patch';
import type { Bundle, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { HistoryOptions } from './resource.reader';
import type { UpdateOptions } from './resource.writer';
import type { KeyRangeCut } from './scan/key-ranges';
import type { ScanBoundaries, ScanOptions, ScannedResource } from './scan/resource-source.reader';
import type { SearchOptions, SearchResult } from './search/resource-searcher';
import type { WriteContext, WriteResult } from './store.types';
import type { ViewRowsPage, ViewRunOptions } from './views/stored-view.runner';

/** A scan whose disclosures its reader audits at its own checkpoints (ResourceStore.scanCheckpointed). */
export interface CheckpointedScan {
  pages: AsyncIterable<ScannedResource[]>;
  /**
   * Appends, inside `tx` (the transaction recording the checkpoint, so both commit or neither does), the audit of
   * everything the pages yielded since the previous call: the patients whose compartments those rows are in, and
   * how many rows of each type. Nothing to append when nothing was yielded (or for the plain store, which audits
   * nothing).
   */
  auditCheckpoint(tx: postgres.TransactionSql): Promise<void>;
}

/** Instance (type and id), type (type only) or system (neither) history. */
export interface HistoryScope {
  resourceType?: string;
  id?: string;
}

/** Search options a caller of the record may set (the connection is the store's own). */
export type RecordSearchOptions = Omit<SearchOptions, 'sql'>;

/**
 * The one door to the record: every read, search, scan and write of FHIR resources. Two implementations, chosen by
 * module configuration rather than by the code that asks for this class:
 * - the plain store (`FhirStore`, bound by `StoreModule.forRoot({ access: 'unrestricted' })`) for workers that
 *   serve no person directly: ingest, the indexer, operator commands;
 * - the secured store (libs/security, bound by `SecurityModule`) for everything that serves a person: the FHIR API,
 *   the portal, exports. It applies scopes, the patient compartment, consent and opt-out, and audits every access.
 * A feature asks for `ResourceStore` and gets the door its app was configured with; apps serving people cannot
 * import the plain store (lint rule and test: docs/architecture.md).
 */
export abstract class ResourceStore {
  abstract read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T>;

  abstract vread<T extends Resource = Resource>(
    resourceType: string,
    id: string,
    versionId: string | number,
  ): Promise<T>;

  abstract history(scope?: HistoryScope, options?: HistoryOptions): Promise<Bundle>;

  /** FHIR search: one page of matches and includes, with the cursor for the next. */
  abstract search(request: SearchRequest, options?: RecordSearchOptions): Promise<SearchResult>;

  /**
   * Every Patient record of the person this one is (itself included), as the master patient index links them:
   * what a read "for a patient" follows. A patient the index does not know is a person of its own.
   */
  abstract personOf(patientId: string): Promise<string[]>;

  /**
   * The selected resources, streamed page by page in a stable order (exports, views): memory bounded whatever the
   * size of the store or the cohort.
   */
  abstract scan(options?: ScanOptions): AsyncIterable<ScannedResource[]>;

  /**
   * The same selection as `scan`, for a reader that checkpoints what it writes (a bulk export's file parts): its
   * pages are not audited one by one; the reader audits what they carried at each checkpoint, in the transaction
   * that records it (`CheckpointedScan.auditCheckpoint`), before anything written can be listed or downloaded.
   */
  abstract scanCheckpointed(options?: ScanOptions): CheckpointedScan;

  /**
   * Keys that cut the selection of `scan(options)` into key ranges of about equal rows, a range per
   * `cut.rowsPerRange` (at most `cut.maxRanges`), estimated from a sample of keys (nothing of a resource is read
   * out): how a large export is sliced for several processes.
   */
  abstract scanBoundaries(options: ScanOptions, cut: KeyRangeCut): Promise<ScanBoundaries>;

  /**
   * A ViewDefinition's rows over the record's current resources of its type, computed by its SQL compilation
   * (libs/store/src/views) with the same selection and restrictions a scan of that type applies, in resource_key
   * order, page by page; each page names the patients whose resources gave its rows. A view outside the compiled
   * subset throws ViewNotCompilable (check first with `viewCompilesToSql`); run it in memory over `scan` instead.
   */
  abstract runView(view: unknown, options?: ViewRunOptions): AsyncIterable<ViewRowsPage>;

  abstract create<T extends Resource>(
    resource: T,
    context?: WriteContext,
    options?: { ifNoneExist?: string },
  ): Promise<WriteResult<T>>;

  abstract update<T extends Resource>(
    resource: T,
    context?: WriteContext,
    options?: UpdateOptions,
  ): Promise<WriteResult<T>>;

  abstract conditionalUpdate<T extends Resource>(
    resource: T,
    criteria: string,
    context?: WriteContext,
    options?: UpdateOptions,
  ): Promise<WriteResult<T>>;

  abstract patch(
    resourceType: string,
    id: string,
    operations: Operation[],
    context?: WriteContext,
    options?: UpdateOptions,
  ): Promise<WriteResult>;

  abstract delete(
    resourceType: string,
    id: string,
    context?: WriteContext,
    options?: UpdateOptions,
  ): Promise<WriteResult>;

  abstract conditionalDelete(
    resourceType: string,
    criteria: string,
    context?: WriteContext,
  ): Promise<WriteResult>;

  /** A `transaction` or `batch` Bundle; answers the matching `-response` Bundle. */
  abstract processBundle(
    bundle: Bundle,
    context?: WriteContext,
    options?: { baseUrl?: string },
  ): Promise<Bundle>;
}
