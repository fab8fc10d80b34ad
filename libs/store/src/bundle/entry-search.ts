import { parseSearchRequest } from '@continuum/fhir';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import type postgres from 'postgres';
import { ResourceSearcher, type FoundResource } from '../search/resource-searcher';

/**
 * A search inside a batch or transaction (`GET Patient?identifier=...`): the first page as a `searchset` Bundle,
 * the entry's `resource`. Paging beyond it is the REST API's business, so the next link carries the cursor only.
 */
export async function searchInBundle(
  tx: postgres.TransactionSql,
  searcher: ResourceSearcher,
  resourceType: string,
  query: string,
  baseUrl: string | undefined,
): Promise<Bundle> {
  const request = parseSearchRequest(resourceType, new URLSearchParams(query), { baseUrl });
  const result = await searcher.search(request, { sql: tx, baseUrl });
  const base = (baseUrl ?? '').replace(/\/$/, '');
  const entry = (found: FoundResource, mode: 'match' | 'include'): BundleEntry => ({
    fullUrl: `${base ? `${base}/` : ''}${found.resourceType}/${found.id}`,
    resource: found.content as FhirResource,
    search: { mode },
  });
  const self = `${base}/${resourceType}?${query}`;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: [
      { relation: 'self', url: self },
      ...(result.next
        ? [{ relation: 'next', url: `${self}&_cursor=${encodeURIComponent(result.next)}` }]
        : []),
    ],
    entry: [
      ...result.matches.map((found) => entry(found, 'match')),
      ...result.included.map((found) => entry(found, 'include')),
      ...(result.outcome ? [{ resource: result.outcome, search: { mode: 'outcome' as const } }] : []),
    ],
  };
}
