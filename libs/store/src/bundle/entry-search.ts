import { informational, parseSearchRequest } from '@continuum/fhir';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import type postgres from 'postgres';
import { ResourceSearcher, type FoundResource, type SearchResult } from '../search/resource-searcher';
import type { RecordView } from '../store.types';

/**
 * A search inside a batch or transaction (`GET Patient?identifier=...`): the first page as a `searchset` Bundle,
 * the entry's `resource`. Paging beyond it is the REST API's business, so the next link carries the cursor only.
 * Through a caller's view, as the secured search: bounded by its compartment in SQL, then what it may not see is
 * left out, with an informational `suppressed` issue and no `total` (a count would disclose it).
 */
export async function searchInBundle(
  tx: postgres.TransactionSql,
  searcher: ResourceSearcher,
  resourceType: string,
  query: string,
  baseUrl: string | undefined,
  view?: RecordView,
): Promise<Bundle> {
  const request = parseSearchRequest(resourceType, new URLSearchParams(query), { baseUrl });
  const compartment = view?.compartment ? { compartment: { patientIds: view.compartment } } : {};
  const found = await searcher.search(request, { sql: tx, baseUrl, ...compartment });
  const result = view ? await screen(tx, found, view) : found;
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

/** The page as the view lets the caller see it. */
async function screen(
  tx: postgres.TransactionSql,
  result: SearchResult,
  view: RecordView,
): Promise<SearchResult> {
  const kept = new Set(await view.visible(tx, [...result.matches, ...result.included]));
  if (kept.size === result.matches.length + result.included.length) return result;
  const notice = informational('Some results are not shown: the caller may not see them', 'suppressed');
  return {
    ...result,
    matches: result.matches.filter((found) => kept.has(found)),
    included: result.included.filter((found) => kept.has(found)),
    total: undefined,
    outcome: { ...notice, issue: [...(result.outcome?.issue ?? []), ...notice.issue] },
  };
}
