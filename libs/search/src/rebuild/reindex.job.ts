import { SEARCH_FAMILIES, type SearchFamily, searchFamilyOf } from '@continuum/fhir';
import type { Logger } from '@continuum/observability';
import type { BulkWriter } from '../indexing/bulk.writer';
import type { ResourceSource, TypeSelection } from '../indexing/resource-source.port';
import type { SearchIndexManager } from '../indexing/search-index.manager';
import { documentOf } from '../indexing/source-document';

export interface ReindexProgress {
  family: SearchFamily;
  done: number;
  total: number;
}

export interface ReindexResult {
  family: SearchFamily;
  index: string;
  replaced: string[];
  documents: number;
  failures: number;
  seconds: number;
}

/** Which types each family's index holds: Patient alone, or every type but Patient. */
export function familySelection(family: SearchFamily): TypeSelection {
  return family === 'patient' ? { include: ['Patient'] } : { exclude: ['Patient'] };
}

/**
 * Rebuilds a family's index from Postgres while queries keep using the old one: a fresh index (current mapping
 * version) joins the write alias so live changes reach it, the resource table is scanned by resource_key and
 * bulk-loaded with external versions (so scan and live writes commute: the higher version wins either way), then
 * one atomic alias change makes it the index queries read, and the old index is dropped. On failure the fresh
 * index is removed and the old one keeps serving.
 */
export class ReindexJob {
  constructor(
    private readonly source: ResourceSource,
    private readonly indices: SearchIndexManager,
    private readonly writer: BulkWriter,
    private readonly logger: Logger,
  ) {}

  /** The families to rebuild: all, or the one holding `resourceType` (a family's index is rebuilt whole). */
  static familiesFor(resourceType?: string): SearchFamily[] {
    return resourceType ? [searchFamilyOf(resourceType)] : [...SEARCH_FAMILIES];
  }

  async run(
    family: SearchFamily,
    options: { pageSize?: number; onProgress?: (progress: ReindexProgress) => void } = {},
  ): Promise<ReindexResult> {
    const started = performance.now();
    const selection = familySelection(family);
    const total = [...(await this.source.countByType(selection)).values()].reduce(
      (sum, count) => sum + count.total,
      0,
    );
    await this.indices.ensureReady();
    const index = await this.indices.startRebuild(family);
    const target = this.indices.naming.writerAliasOf(index);
    let documents = 0;
    let failures = 0;
    try {
      options.onProgress?.({ family, done: 0, total });
      for await (const page of this.source.scan(selection, options.pageSize ?? 1000)) {
        const outcome = await this.writer.write(page.map((row) => ({ target, document: documentOf(row) })));
        documents += page.length;
        failures += outcome.failures.length;
        for (const failure of outcome.failures) {
          this.logger.error(
            { ref: failure.ref, type: failure.type, reason: failure.reason },
            'reindex: document refused',
          );
        }
        options.onProgress?.({ family, done: documents, total: Math.max(total, documents) });
      }
      const replaced = await this.indices.completeRebuild(family, index);
      return { family, index, replaced, documents, failures, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      await this.indices.abortRebuild(index).catch(() => undefined);
      throw error;
    }
  }
}
