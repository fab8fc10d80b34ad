import type { Client } from '@elastic/elasticsearch';
import type {
  AggregationsAggregationContainer,
  QueryDslQueryContainer,
} from '@elastic/elasticsearch/lib/api/types';
import { SEARCH_FAMILIES, searchFamilyOf } from '@continuum/fhir';
import type { SearchIndexNaming } from '../indexing/search-index.naming';
import { NOT_DELETED } from './search-hit';

export type AggregationDimension = 'code' | 'period' | 'organisation' | 'sourceOrganisation' | 'resourceType';

export interface AggregationQuery {
  by: AggregationDimension;
  resourceTypes?: string[];
  /** Only this code (`system|code`). */
  code?: string;
  /** Only clinical dates in [from, to), ISO 8601. */
  from?: string;
  to?: string;
  /** Only resources referring to this organisation (`Organization/<id>`). */
  organisation?: string;
  /** Bucket width for `period`. */
  interval?: 'day' | 'week' | 'month' | 'quarter' | 'year';
  /** Most buckets for the term dimensions (largest first). */
  size?: number;
}

export interface Bucket {
  key: string;
  count: number;
}

const FIELDS: Record<Exclude<AggregationDimension, 'period'>, string> = {
  code: 'code',
  organisation: 'organisations',
  sourceOrganisation: 'sourceOrganisation',
  resourceType: 'resourceType',
};

/** Counts for analytics: by code, clinical date period, organisation or type, over current (not deleted) resources. */
export class Aggregations {
  constructor(
    private readonly client: Client,
    private readonly naming: SearchIndexNaming,
  ) {}

  async count(query: AggregationQuery): Promise<Bucket[]> {
    const aggregation: AggregationsAggregationContainer =
      query.by === 'period'
        ? {
            date_histogram: { field: 'date', calendar_interval: query.interval ?? 'month', min_doc_count: 1 },
          }
        : { terms: { field: FIELDS[query.by], size: query.size ?? 20 } };
    const families = query.resourceTypes?.length
      ? [...new Set(query.resourceTypes.map(searchFamilyOf))]
      : [...SEARCH_FAMILIES];
    const response = await this.client.search({
      index: families.map((family) => this.naming.readAlias(family)),
      size: 0,
      query: { bool: { filter: filtersOf(query) } },
      aggs: { counts: aggregation },
    });
    const buckets = (
      response.aggregations?.counts as {
        buckets: { key: string | number; key_as_string?: string; doc_count: number }[];
      }
    ).buckets;
    return buckets.map((bucket) => ({
      key: bucket.key_as_string ?? String(bucket.key),
      count: bucket.doc_count,
    }));
  }
}

function filtersOf(query: AggregationQuery): QueryDslQueryContainer[] {
  const filter: QueryDslQueryContainer[] = [NOT_DELETED];
  if (query.resourceTypes?.length) filter.push({ terms: { resourceType: query.resourceTypes } });
  if (query.code) filter.push({ term: { code: query.code } });
  if (query.organisation) filter.push({ term: { organisations: query.organisation } });
  if (query.from || query.to) filter.push({ range: { date: { gte: query.from, lt: query.to } } });
  return filter;
}
