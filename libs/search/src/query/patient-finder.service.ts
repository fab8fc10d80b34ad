import type { Client } from '@elastic/elasticsearch';
import type { QueryDslQueryContainer } from '@elastic/elasticsearch/lib/api/types';
import { metaphone, nameTokens, normaliseNhsNumber, normalisePostcode, outwardCode } from '@continuum/fhir';
import type { SearchIndexNaming } from '../indexing/search-index.naming';
import { MATCH_FIELDS, matchOf, NOT_DELETED, type SearchMatch } from './search-hit';

export interface PatientQuery {
  /** Any mix of given and family names, in any order; typos and sound-alikes tolerated. */
  name?: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  postcode?: string;
  nhsNumber?: string;
  limit?: number;
}

/**
 * Patient finding for people and matching services: every criterion adds to the score rather than filtering,
 * so a typo in one (a misspelt name, a transposed postcode) still finds the right person when the others agree.
 * Each name token matches, best first: exactly (folded), by Metaphone key, within edit distance, or as a prefix.
 * An NHS number match weighs most; birth date and full postcode next; the outward code a little.
 */
export class PatientFinder {
  constructor(
    private readonly client: Client,
    private readonly naming: SearchIndexNaming,
  ) {}

  async find(query: PatientQuery): Promise<SearchMatch[]> {
    const should = [...nameClauses(query.name ?? ''), ...demographicClauses(query)];
    if (should.length === 0) return [];
    const response = await this.client.search<never>({
      index: this.naming.readAlias('patient'),
      size: query.limit ?? 10,
      _source: MATCH_FIELDS,
      query: { bool: { filter: [NOT_DELETED], should, minimum_should_match: 1 } },
    });
    return response.hits.hits.map(matchOf);
  }
}

function nameClauses(name: string): QueryDslQueryContainer[] {
  return nameTokens(name).map((token) => ({
    dis_max: {
      queries: [
        { term: { nameTokens: { value: token, boost: 4 } } },
        { term: { namePhonetic: { value: metaphone(token), boost: 3 } } },
        { fuzzy: { nameTokens: { value: token, fuzziness: 'AUTO', prefix_length: 1, boost: 2 } } },
        ...(token.length >= 3 ? [{ prefix: { nameTokens: { value: token, boost: 1 } } }] : []),
      ],
    },
  }));
}

function demographicClauses(query: PatientQuery): QueryDslQueryContainer[] {
  const clauses: QueryDslQueryContainer[] = [];
  if (query.nhsNumber)
    clauses.push({ term: { nhsNumber: { value: normaliseNhsNumber(query.nhsNumber), boost: 10 } } });
  if (query.birthDate) clauses.push({ term: { birthDate: { value: query.birthDate, boost: 5 } } });
  if (query.postcode) {
    clauses.push({ term: { postcode: { value: normalisePostcode(query.postcode), boost: 3 } } });
    const outward = outwardCode(query.postcode);
    if (outward) clauses.push({ term: { postcodeOutward: { value: outward, boost: 1 } } });
  }
  return clauses;
}
