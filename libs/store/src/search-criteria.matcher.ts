import { parseSearchRequest } from '@continuum/fhir';
import type postgres from 'postgres';
import { ResourceSearcher } from './search/resource-searcher';
import type { CriteriaMatcher, MatchedResource } from './store.ports';
import type { RecordView, StoreOptions } from './store.types';

/** Candidates read per round when a caller's view may leave some out. */
const VIEWED_PAGE = 100;

/**
 * Conditional-operation criteria evaluated by the search engine, inside the writer's transaction. Parsed strictly:
 * an unknown or unsupported parameter is a 400, because ignoring it would widen the match (a conditional delete
 * could then hit resources the client never meant).
 *
 * Through a caller's view, the search is bounded by its compartment in SQL and each page of candidates is passed
 * through the view; pages are read until `limit` visible matches are found or none are left, so matches the caller
 * may not see can neither fill the limit nor be counted (a "more than one" answer would disclose them).
 */
export class SearchCriteriaMatcher implements CriteriaMatcher {
  constructor(
    private readonly options: StoreOptions = {},
    private readonly searcher = new ResourceSearcher(),
  ) {}

  async match(
    tx: postgres.TransactionSql,
    resourceType: string,
    criteria: string,
    limit: number,
    view?: RecordView,
  ): Promise<MatchedResource[]> {
    const request = parseSearchRequest(resourceType, new URLSearchParams(criteria), {
      strict: true,
      baseUrl: this.options.baseUrl,
    });
    request.count = view ? Math.max(limit, VIEWED_PAGE) : limit;
    request.total = 'none';
    const options = {
      sql: tx,
      baseUrl: this.options.baseUrl,
      ...(view?.compartment ? { compartment: { patientIds: view.compartment } } : {}),
    };
    const found: MatchedResource[] = [];
    for (;;) {
      const result = await this.searcher.search(request, options);
      const matches = result.matches.map((match) => ({ resourceType: match.resourceType, id: match.id }));
      found.push(...(view ? await view.visible(tx, matches) : matches));
      if (found.length >= limit || !view || !result.next) return found.slice(0, limit);
      request.cursor = result.next;
    }
  }
}
