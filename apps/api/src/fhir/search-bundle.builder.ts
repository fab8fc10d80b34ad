import type { FoundResource, SearchResult } from '@continuum/store';
import type { Bundle, BundleEntry, BundleLink, FhirResource } from 'fhir/r4';
import { encodePage, nextPage, previousPage, type SearchPage } from './search-page.token';

/** Paging parameters, set by the links themselves and never copied from the request into them. */
export const PAGING_PARAMS = new Set(['_page', '_cursor']);

export interface SearchLinkBase {
  /** The FHIR base URL, no trailing slash. */
  baseUrl: string;
  /** Path under the base (`Observation`, `Patient/1/$everything`, empty for a system search). */
  path: string;
  /** The request's parameters, paging ones removed. */
  params: [string, string][];
}

/** A `searchset` Bundle: matches, includes, warnings, and self/first/previous/next links. */
export function searchsetBundle(result: SearchResult, page: SearchPage, link: SearchLinkBase): Bundle {
  const entry = (found: FoundResource, mode: 'match' | 'include'): BundleEntry => ({
    fullUrl: `${link.baseUrl}/${found.resourceType}/${found.id}`,
    resource: found.content as FhirResource,
    search: { mode },
  });
  const previous = previousPage(page);
  const links: BundleLink[] = [
    { relation: 'self', url: pageUrl(link, page) },
    { relation: 'first', url: pageUrl(link, { cursors: [], truncated: false }) },
    ...(previous ? [{ relation: 'previous', url: pageUrl(link, previous) }] : []),
    ...(result.next ? [{ relation: 'next', url: pageUrl(link, nextPage(page, result.next)) }] : []),
  ];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: links,
    entry: [
      ...result.matches.map((found) => entry(found, 'match')),
      ...result.included.map((found) => entry(found, 'include')),
      ...(result.outcome ? [{ resource: result.outcome, search: { mode: 'outcome' as const } }] : []),
    ],
  };
}

function pageUrl(link: SearchLinkBase, page: SearchPage): string {
  const params = new URLSearchParams(link.params);
  const token = encodePage(page);
  if (token) params.set('_page', token);
  const query = params.toString();
  const path = link.path ? `${link.baseUrl}/${link.path}` : link.baseUrl;
  return query ? `${path}?${query}` : path;
}
