import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { RecordView } from './store.types';

/**
 * The seams to the search workstream (docs/store-contract.md). Their classes satisfy these shapes:
 * `SearchIndexWriter` (libs/store/src/search) and a criteria matcher over `ResourceSearcher`.
 */
export interface IndexEntry {
  resourceType: string;
  resourceKey: string;
  resource: Resource | null;
  /**
   * False for a resource row created by this very write (a fresh resource key): it cannot have index rows yet,
   * so the writer skips deleting them — on a growing table that delete is most of a bulk create's cost.
   */
  mayHaveRows?: boolean;
}

export interface SearchIndexPort {
  /** Replaces the index rows of these resources inside the caller's transaction; null resource = deleted. */
  write(tx: postgres.TransactionSql, entries: IndexEntry[]): Promise<void>;
}

export interface MatchedResource {
  resourceType: string;
  id: string;
}

export interface CriteriaMatcher {
  /**
   * Current (not deleted) resources of `resourceType` matching FHIR search `criteria` (a query string without
   * the leading `?`), at most `limit` of them, read inside `tx` so conditional writes see their own transaction.
   * With a `view`, only the matches the caller may see: the others are treated as absent, neither returned nor
   * counted against the limit.
   */
  match(
    tx: postgres.TransactionSql,
    resourceType: string,
    criteria: string,
    limit: number,
    view?: RecordView,
  ): Promise<MatchedResource[]>;
}
