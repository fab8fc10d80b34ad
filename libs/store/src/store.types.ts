import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { ChangeOperation } from './entities';

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
