import type { SearchHit } from '@elastic/elasticsearch/lib/api/types';
import type { SearchDocument } from '@continuum/fhir';

/** A match: which resource (read it from the store for its content) at which indexed version, and how well. */
export interface SearchMatch {
  resourceType: string;
  id: string;
  versionId: number;
  score: number;
}

export function matchOf(
  hit: SearchHit<Pick<SearchDocument, 'resourceType' | 'id' | 'versionId'>>,
): SearchMatch {
  return {
    resourceType: hit._source!.resourceType,
    id: hit._source!.id,
    versionId: hit._source!.versionId,
    score: hit._score ?? 0,
  };
}

export const MATCH_FIELDS = ['resourceType', 'id', 'versionId'];

/** Every query excludes tombstones (documents of deleted resources). */
export const NOT_DELETED = { term: { deleted: false } };
