import { parseSearchRequest } from '@continuum/fhir';
import type postgres from 'postgres';
import type { CriteriaMatcher, MatchedResource } from '../store.ports';
import { ResourceSearcher } from './resource-searcher';

/**
 * Conditional create/update/delete criteria (`identifier=...`) matched with the searcher inside the caller's
 * transaction. Strict: criteria the server would ignore must not turn into "matches everything".
 */
export class SearchCriteriaMatcher implements CriteriaMatcher {
  private readonly searcher = new ResourceSearcher();

  constructor(private readonly options: { baseUrl?: string } = {}) {}

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
    const result = await this.searcher.search(
      { ...request, count: limit, sort: [], includes: [], revincludes: [] },
      { sql: tx, ...this.options },
    );
    return result.matches.map(({ resourceType: type, id }) => ({ resourceType: type, id }));
  }
}
