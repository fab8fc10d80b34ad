import { Injectable } from '@nestjs/common';
import type { Resource } from 'fhir/r4';
import {
  identifierIndex,
  logicalTargetKey,
  logicalTargets,
  parseSearchRequest,
  resolveLogicalReferences,
  type LogicalTarget,
} from '@continuum/fhir';
import { ResourceStore } from '@continuum/store';

/** Identifier values per search: an OR list long enough to be cheap, short enough for a readable query plan. */
const VALUES_PER_SEARCH = 50;

/**
 * Shared directory records (organisations by ODS code, practitioners by SDS id, sites) may be resolved to any
 * source's copy. Everything else — patients above all — only to the same source's records: resolving a patient by
 * NHS number to another system's Patient would be identity linkage by accident, which is the master patient
 * index's job, done deliberately.
 */
const DIRECTORY_TYPES = new Set([
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'HealthcareService',
  'Endpoint',
]);

/**
 * Resolves the logical references of a chunk (`Type?identifier=system|value` from source systems) to literal
 * `Type/id`: first against the same message source's resources in the chunk, then against stored ones, one search
 * per target type and up to 50 identifiers. What stays unknown stays a logical reference (valid FHIR, searchable by :identifier).
 */
@Injectable()
export class LogicalReferenceResolution {
  constructor(private readonly store: ResourceStore) {}

  async resolve(resources: Resource[], sourceSystem: string): Promise<void> {
    const known = identifierIndex(resources);
    const missing = logicalTargets(resources).filter((target) => !known.has(logicalTargetKey(target)));
    for (const [type, targets] of groupByType(missing)) {
      for (let start = 0; start < targets.length; start += VALUES_PER_SEARCH) {
        const slice = targets.slice(start, start + VALUES_PER_SEARCH);
        const identifier = slice
          .map(({ system, value }) => `${escapeSearchValue(system)}|${escapeSearchValue(value)}`)
          .join(',');
        const request = parseSearchRequest(type, {
          identifier,
          _count: String(VALUES_PER_SEARCH * 2),
          ...(DIRECTORY_TYPES.has(type) ? {} : { _source: sourceSystem }),
        });
        const result = await this.store.search(request);
        for (const [key, id] of identifierIndex(result.matches.map((match) => match.content))) {
          if (!known.has(key)) known.set(key, id);
        }
      }
    }
    resolveLogicalReferences(resources, known);
  }
}

function groupByType(targets: LogicalTarget[]): Map<string, LogicalTarget[]> {
  const groups = new Map<string, LogicalTarget[]>();
  for (const target of targets) groups.set(target.type, [...(groups.get(target.type) ?? []), target]);
  return groups;
}

/** FHIR search escaping: `\`, `,`, `|` and `$` inside a value are preceded by a backslash. */
function escapeSearchValue(value: string): string {
  return value.replace(/[\\,|$]/g, (character) => `\\${character}`);
}
