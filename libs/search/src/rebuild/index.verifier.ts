import type { Client } from '@elastic/elasticsearch';
import type { SortResults } from '@elastic/elasticsearch/lib/api/types';
import { SEARCH_FAMILIES, searchFamilyOf } from '@continuum/fhir';
import type { ResourceSource } from '../indexing/resource-source.port';
import type { SearchIndexManager } from '../indexing/search-index.manager';

interface VersionEntry {
  id: string;
  versionId: number;
  deleted: boolean;
}

export interface TypeDrift {
  resourceType: string;
  postgres: { live: number; total: number };
  elasticsearch: { live: number; total: number };
  /** In Postgres, absent from Elasticsearch. */
  missing: number;
  /** In Elasticsearch, absent from Postgres. */
  extra: number;
  /** Present in both with another version or deleted flag. */
  stale: number;
  /** A few offending references, for the operator to look at. */
  examples: string[];
}

export interface VerifyReport {
  types: TypeDrift[];
  drift: number;
}

const EXAMPLES = 5;

/**
 * Compares Postgres and Elasticsearch per resource type: counts, and every (id, version, deleted) triple, both
 * sides streamed in id byte order and merge-joined (Elasticsearch pages with search_after on the id keyword and
 * the external version from `version: true`; no _source is fetched).
 */
export class IndexVerifier {
  constructor(
    private readonly client: Client,
    private readonly source: ResourceSource,
    private readonly indices: SearchIndexManager,
  ) {}

  async verify(options: { resourceType?: string; pageSize?: number } = {}): Promise<VerifyReport> {
    const pageSize = options.pageSize ?? 5000;
    const selection = options.resourceType ? { include: [options.resourceType] } : { exclude: [] };
    const postgresCounts = await this.source.countByType(selection);
    const types = new Set([...postgresCounts.keys(), ...(await this.indexedTypes(options.resourceType))]);
    const report: TypeDrift[] = [];
    for (const resourceType of [...types].sort()) {
      const drift: TypeDrift = {
        resourceType,
        postgres: postgresCounts.get(resourceType) ?? { live: 0, total: 0 },
        elasticsearch: { live: 0, total: 0 },
        missing: 0,
        extra: 0,
        stale: 0,
        examples: [],
      };
      const note = (kind: string, id: string) => {
        if (drift.examples.length < EXAMPLES) drift.examples.push(`${kind} ${resourceType}/${id}`);
      };
      const indexed = this.indexedVersions(resourceType, pageSize);
      const stored = this.source.versions(resourceType, pageSize);
      for await (const [pg, es] of mergeById(stored, indexed)) {
        if (es) {
          drift.elasticsearch.total++;
          if (!es.deleted) drift.elasticsearch.live++;
        }
        if (pg && !es) {
          drift.missing++;
          note('missing', pg.id);
        } else if (!pg && es) {
          drift.extra++;
          note('extra', es.id);
        } else if (pg && es && (pg.versionId !== es.versionId || pg.deleted !== es.deleted)) {
          drift.stale++;
          note(`stale (postgres v${pg.versionId}, index v${es.versionId})`, pg.id);
        }
      }
      report.push(drift);
    }
    return {
      types: report,
      drift: report.reduce((sum, type) => sum + type.missing + type.extra + type.stale, 0),
    };
  }

  private async indexedTypes(resourceType?: string): Promise<string[]> {
    const response = await this.client.search({
      index: SEARCH_FAMILIES.map((family) => this.indices.naming.readAlias(family)),
      size: 0,
      ignore_unavailable: true, // no index yet: everything in Postgres is reported missing
      allow_no_indices: true,
      query: resourceType ? { term: { resourceType } } : { match_all: {} },
      aggs: { types: { terms: { field: 'resourceType', size: 1000 } } },
    });
    const buckets =
      (response.aggregations?.types as { buckets: { key: string }[] } | undefined)?.buckets ?? [];
    return buckets.map((bucket) => bucket.key);
  }

  private async *indexedVersions(resourceType: string, pageSize: number): AsyncGenerator<VersionEntry[]> {
    const index = this.indices.naming.readAlias(searchFamilyOf(resourceType));
    let after: SortResults | undefined;
    for (;;) {
      const response = await this.client.search<never>({
        index,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: pageSize,
        _source: false,
        version: true,
        docvalue_fields: ['id', 'deleted'],
        query: { term: { resourceType } },
        sort: [{ id: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      const hits = response.hits.hits;
      if (hits.length === 0) return;
      yield hits.map((hit) => ({
        id: String(hit.fields?.id?.[0]),
        versionId: hit._version ?? 0,
        deleted: hit.fields?.deleted?.[0] === true,
      }));
      after = hits[hits.length - 1].sort;
      if (hits.length < pageSize) return;
    }
  }
}

/** Merge-joins two id-ordered (byte order) paged streams, yielding the pair for each id present on either side. */
async function* mergeById(
  left: AsyncIterable<VersionEntry[]>,
  right: AsyncIterable<VersionEntry[]>,
): AsyncGenerator<[VersionEntry | undefined, VersionEntry | undefined]> {
  const a = flatten(left)[Symbol.asyncIterator]();
  const b = flatten(right)[Symbol.asyncIterator]();
  let [x, y] = await Promise.all([a.next(), b.next()]);
  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : compareBytes(x.value.id, y.value.id);
    if (order === 0) {
      yield [x.value, y.value];
      [x, y] = await Promise.all([a.next(), b.next()]);
    } else if (order < 0) {
      yield [x.value as VersionEntry, undefined];
      x = await a.next();
    } else {
      yield [undefined, y.value as VersionEntry];
      y = await b.next();
    }
  }
}

async function* flatten<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
