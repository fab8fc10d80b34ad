import type { Client } from '@elastic/elasticsearch';
import type { QueryDslQueryContainer } from '@elastic/elasticsearch/lib/api/types';
import { foldText, SEARCH_FAMILIES, searchFamilyOf } from '@continuum/fhir';
import type { SearchIndexNaming } from '../indexing/search-index.naming';
import { MATCH_FIELDS, matchOf, NOT_DELETED, type SearchMatch } from './search-hit';

export interface FullTextQuery {
  /** FHIR `_content`: words anywhere in the resource's text (narrative, coded texts, notes, names ...). */
  content?: string;
  /** FHIR `_text`: words in the narrative. */
  text?: string;
  resourceTypes?: string[];
  /** Only resources in this patient's compartment. */
  patient?: string;
  limit?: number;
}

/**
 * `_content` and `_text` search. Text is folded (case and accents) in the application before indexing, and the
 * query is folded the same way; every word must match, with one typo allowed in longer words.
 */
export class FullTextSearch {
  constructor(
    private readonly client: Client,
    private readonly naming: SearchIndexNaming,
  ) {}

  async search(query: FullTextQuery): Promise<SearchMatch[]> {
    const must: QueryDslQueryContainer[] = [];
    if (query.content) must.push(matchAll('text', query.content));
    if (query.text) must.push(matchAll('narrative', query.text));
    if (must.length === 0) return [];
    const filter: QueryDslQueryContainer[] = [NOT_DELETED];
    if (query.resourceTypes?.length) filter.push({ terms: { resourceType: query.resourceTypes } });
    if (query.patient) filter.push({ term: { compartments: query.patient } });
    const families = query.resourceTypes?.length
      ? [...new Set(query.resourceTypes.map(searchFamilyOf))]
      : [...SEARCH_FAMILIES];
    const response = await this.client.search<never>({
      index: families.map((family) => this.naming.readAlias(family)),
      size: query.limit ?? 20,
      _source: MATCH_FIELDS,
      query: { bool: { must, filter } },
    });
    return response.hits.hits.map(matchOf);
  }
}

function matchAll(field: string, words: string): QueryDslQueryContainer {
  return { match: { [field]: { query: foldText(words), operator: 'and', fuzziness: 'AUTO:5,8' } } };
}
