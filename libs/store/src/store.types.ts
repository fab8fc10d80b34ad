import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { ChangeOperation } from './entities';
import type { ResourceRef } from './scan/resource-source.reader';

/** Who and what is behind a write; recorded with the version (source system also in meta.source). */
export interface WriteContext {
  /** The system the data came from (a URI such as `https://fhir.nhs.uk/Id/ods-organization-code|RR8`). */
  sourceSystem?: string;
  /** Correlation id of the request or message that caused the write. */
  requestId?: string;
  /**
   * Runs inside the write's transaction, after it (single writes only; not bundles or the bulk path): what must
   * commit or roll back with the data, such as its audit row.
   */
  inTransaction?: (tx: postgres.TransactionSql, result: WriteResult) => Promise<void>;
  /**
   * The caller's view of the record, applied inside the transaction to every conditional match, conditional
   * reference, bundle read and change (single writes and every bundle entry). The secured store passes one; workers
   * pass none and see everything.
   */
  view?: RecordView;
}

/** One resource about to change: `current` is its live content (absent: none, or deleted), `next` null deletes. */
export interface ResourceChange {
  resourceType: string;
  id: string;
  current?: Resource;
  next: Resource | null;
}

/**
 * What one caller may see and change, as the store's write path asks it (implemented by libs/security, so the store
 * knows nothing of tokens or consent). Each method runs inside the write's transaction and throws a FhirError to
 * refuse; what it does not let through is, to the caller, not there.
 */
export interface RecordView {
  /** Patients whose compartments bound every match and search in SQL (a patient/ token's); undefined: no bound. */
  readonly compartment?: string[];
  /**
   * Of these candidates (conditional matches and references, bundle search results), those the caller may see: the
   * same objects, in their order.
   */
  visible<T extends ResourceRef>(tx: postgres.TransactionSql, candidates: T[]): Promise<T[]>;
  /** A read inside a bundle: refused as the single read would be (404 outside the caller's reach, 403 consent). */
  assertReadable(tx: postgres.TransactionSql, resource: Resource): Promise<void>;
  /** Before a change is written, under the resource's row lock: refused unless the caller may make it. */
  assertChange(tx: postgres.TransactionSql, change: ResourceChange): Promise<void>;
}

/** Either the pool or an open transaction: operations accept both so bundles can run them in theirs. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/** The current row of a resource, as the store keeps it. */
export interface StoredResource {
  resourceType: string;
  id: string;
  resourceKey: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  sourceSystem: string | null;
  sourceUpdated: Date | null;
  content: Resource | null;
}

/** A version about to be written: what the version writer turns into resource, history, outbox and index rows. */
export interface PlannedVersion {
  resourceType: string;
  id: string;
  /** Null for a resource not stored before: allocated from resource_key_seq. */
  resourceKey: string | null;
  versionId: number;
  lastUpdated: Date;
  /** Null for a deletion. */
  content: Resource | null;
  compartments: string[];
  operation: ChangeOperation;
  sourceSystem: string | null;
  sourceUpdated: Date | null;
  requestId: string | null;
}

/** What a single write did; `status` is the HTTP status the FHIR spec gives it. */
export interface WriteResult<T extends Resource = Resource> {
  outcome: 'created' | 'updated' | 'deleted' | 'existing' | 'unchanged' | 'not-found';
  status: 200 | 201 | 204;
  resourceType: string;
  id: string;
  versionId?: number;
  lastUpdated?: string;
  /** The stored resource (with meta), null after a delete. */
  resource: T | null;
}

export interface StoreOptions {
  /** Largest accepted resource, in bytes of JSON. */
  maxResourceBytes?: number;
  /** The server's public FHIR base, for fullUrls and telling local absolute references from foreign ones. */
  baseUrl?: string;
}
