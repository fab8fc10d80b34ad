import { parseSearchRequest, type ParseOptions } from '@continuum/fhir';
import type postgres from 'postgres';
import { ResourceSearcher, type SearchOptions, type SearchResult } from '../resource-searcher';

/** Runs a FHIR search given as a query string, like the REST layer would. */
export function searchWith(sql: postgres.Sql) {
  const searcher = new ResourceSearcher(sql);
  const run = async (
    type: string | undefined,
    query: string,
    options: SearchOptions & ParseOptions = {},
  ): Promise<SearchResult> =>
    searcher.search(parseSearchRequest(type, new URLSearchParams(query), options), options);
  const ids = async (type: string | undefined, query: string, options: SearchOptions & ParseOptions = {}) =>
    (await run(type, query, options)).matches.map((match) => match.id).sort();
  return { run, ids };
}
