import { buildSearchDocument, buildTombstoneDocument, type SearchDocument } from '@continuum/fhir';
import type { SourceResource } from './resource-source.port';

/** The search document of a current row: a tombstone for a deleted resource, else the mapped content. */
export function documentOf(row: SourceResource): SearchDocument {
  const facts = {
    resourceType: row.resourceType,
    id: row.id,
    versionId: row.versionId,
    lastUpdated: row.lastUpdated,
    sourceSystem: row.sourceSystem,
  };
  return row.deleted || !row.content
    ? buildTombstoneDocument(facts)
    : buildSearchDocument(row.content, facts, { restrictedPerson: row.restrictedPerson });
}
