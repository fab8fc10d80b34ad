import type { SearchFilter, SearchRequest } from '@continuum/fhir';
import type { PersonQueries } from './person.queries';

/**
 * `patient:person=Patient/X` (and any reference parameter with `:person`): each Patient named becomes every
 * Patient record of its person (MATCH and REDIRECT links), as a plain reference filter, before the search's SQL is
 * built. One indexed look-up for all the filters of a request; the SQL then counts, totals, pages and consent-checks
 * the expanded filter like any other, so nothing is filtered after the database.
 */
export async function expandPersonFilters(
  request: SearchRequest,
  persons: PersonQueries,
): Promise<SearchRequest> {
  const asked = new Set<string>();
  request.filters.forEach((filter) => collect(filter, asked));
  if (!asked.size) return request;
  const samePerson = await persons.samePerson([...asked]);
  return { ...request, filters: request.filters.map((filter) => expand(filter, samePerson)) };
}

function collect(filter: SearchFilter, asked: Set<string>): void {
  if (filter.kind === 'chain' || filter.kind === 'has') return collect(filter.filter, asked);
  if (filter.modifier === 'person')
    for (const value of filter.values) if (value.type === 'reference') asked.add(value.id);
}

function expand(filter: SearchFilter, samePerson: Map<string, string[]>): SearchFilter {
  if (filter.kind === 'chain' || filter.kind === 'has')
    return { ...filter, filter: expand(filter.filter, samePerson) };
  if (filter.modifier !== 'person') return filter;
  const ids = new Set(
    filter.values.flatMap((value) =>
      value.type === 'reference' ? (samePerson.get(value.id) ?? [value.id]) : [],
    ),
  );
  return {
    kind: 'param',
    code: filter.code,
    type: filter.type,
    values: [...ids].sort().map((id) => ({ type: 'reference', resourceType: 'Patient', id })),
  };
}
