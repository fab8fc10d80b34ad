import { parseSearchRequest } from '@continuum/fhir';
import type postgres from 'postgres';
import { ResourceSearcher } from './search/resource-searcher';
import type { CriteriaMatcher, MatchedResource } from './store.ports';
import type { StoreOptions } from './store.types';

/**
 * Conditional-operation criteria evaluated by the search engine, inside the writer's transaction. Parsed strictly:
 * an unknown or unsupported parameter is a 400, because ignoring it would widen the match (a conditional delete
 * could then hit resources the client never meant).
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
  ): Promise<MatchedResource[]> {
    const request = parseSearchRequest(resourceType, new URLSearchParams(criteria), {
      strict: true,
      baseUrl: this.options.baseUrl,
    });
    request.count = limit;
    request.total = 'none';
    const result = await this.searcher.search(request, { sql: tx, baseUrl: this.options.baseUrl });
    return result.matches.map((match) => ({ resourceType: match.resourceType, id: match.id }));
  }
}
