import type { Resource } from 'fhir/r4';

/** A stored resource's current row, as search indexing reads it from the source of truth (Postgres). */
export interface SourceResource {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  sourceSystem: string | null;
  content: Resource | null;
  /** Of a restricted (S-flag) person (decided in SQL as the row is read): its locating details are not indexed. */
  restrictedPerson?: boolean;
}

export type TypeSelection = { include: string[] } | { exclude: string[] };

/**
 * The source of truth as indexing, rebuild and verification need it; `ResourceSourceReader` in libs/store
 * implements it over Postgres (a port, because libs/search does not depend on the store).
 */
export interface ResourceSource {
  loadCurrent(refs: readonly { resourceType: string; id: string }[]): Promise<SourceResource[]>;
  scan(types: TypeSelection, pageSize: number): AsyncIterable<SourceResource[]>;
  countByType(types: TypeSelection): Promise<Map<string, { total: number; live: number }>>;
  versions(
    resourceType: string,
    pageSize: number,
  ): AsyncIterable<{ id: string; versionId: number; deleted: boolean }[]>;
}
