import type { Client } from '@elastic/elasticsearch';
import type { QueryDslQueryContainer } from '@elastic/elasticsearch/lib/api/types';
import {
  formalNamesOf,
  metaphone,
  nameTokens,
  normaliseNhsNumber,
  normalisePostcode,
  outwardCode,
} from '@continuum/fhir';
import type { SearchIndexNaming } from '../indexing/search-index.naming';
import { MATCH_FIELDS, matchOf, NOT_DELETED, type SearchMatch } from './search-hit';

export interface PatientQuery {
  /** Any mix of given and family names, in any order; typos and sound-alikes tolerated. */
  name?: string;
  /** Family names (PDQm `family`): matched as name tokens too, so a family and given name swapped still match. */
  family?: string;
  /** Given names (PDQm `given`). */
  given?: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  /** FHIR administrative gender. */
  gender?: string;
  postcode?: string;
  nhsNumber?: string;
  limit?: number;
}

/**
 * Finding Source Patients by demographics (PDQm, matching services): the ids and scores of candidates, which the
 * caller reads through its own door. An interface because the API binds it to Elasticsearch (`PatientFinder`) in
 * its module, and a process boundary lies behind it.
 */
export abstract class PatientCandidates {
  abstract find(query: PatientQuery): Promise<SearchMatch[]>;
}

/**
 * Patient finding for people and matching services: every criterion adds to the score rather than filtering, so a
 * typo in one (a misspelt name, a transposed postcode) still finds the right person when the others agree; when
 * names are given, at least one name token must match. Each name token matches, best first: exactly (folded), by
 * Metaphone key or as a familiar form of the same formal name (Bob, Robert), within edit distance, or as a prefix. An NHS number match weighs most; birth date and full
 * postcode next; the outward code and gender a little. A search by postcode never finds a restricted (S-flag)
 * person: their documents hold no postcode, and are left out whatever else matched.
 */
export class PatientFinder extends PatientCandidates {
  constructor(
    private readonly client: Client,
    private readonly naming: SearchIndexNaming,
  ) {
    super();
  }

  async find(query: PatientQuery): Promise<SearchMatch[]> {
    const names = nameClauses([query.name, query.family, query.given].filter(Boolean).join(' '));
    const demographics = demographicClauses(query);
    if (names.length === 0 && demographics.length === 0) return [];
    const response = await this.client.search<never>({
      index: this.naming.readAlias('patient'),
      size: query.limit ?? 10,
      _source: MATCH_FIELDS,
      query: {
        bool: {
          filter: [NOT_DELETED],
          ...(query.postcode ? { must_not: [{ term: { restricted: true } }] } : {}),
          ...(names.length
            ? { must: [{ bool: { should: names, minimum_should_match: 1 } }], should: demographics }
            : { should: demographics, minimum_should_match: 1 }),
        },
      },
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
        ...formalNamesOf(token).map((formal) => ({ term: { givenFormal: { value: formal, boost: 3 } } })),
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
  if (query.gender) clauses.push({ term: { gender: { value: query.gender, boost: 1 } } });
  if (query.postcode) {
    clauses.push({ term: { postcode: { value: normalisePostcode(query.postcode), boost: 3 } } });
    const outward = outwardCode(query.postcode);
    if (outward) clauses.push({ term: { postcodeOutward: { value: outward, boost: 1 } } });
  }
  return clauses;
}
