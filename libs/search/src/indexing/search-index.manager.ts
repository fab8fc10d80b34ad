import type { Client } from '@elastic/elasticsearch';
import { SEARCH_FAMILIES, type SearchFamily } from '@continuum/fhir';
import { installIndexTemplates, mappedFields } from './index-templates';
import type { SearchIndexNaming } from './search-index.naming';

/**
 * The lifecycle of the search indices behind their aliases: first creation, write targets, and the steps of a
 * rebuild (a fresh index joins the write alias, is loaded, then replaces the old one in one atomic alias change).
 */
export class SearchIndexManager {
  constructor(
    private readonly client: Client,
    readonly naming: SearchIndexNaming,
  ) {}

  /**
   * Templates installed and, for a family without one, a first index with its aliases (created atomically). Fields
   * added to a mapping version since its indices were made are added to them (additions only: a change of an
   * existing field's type needs a new mapping version and a rebuild).
   */
  async ensureReady(): Promise<void> {
    await installIndexTemplates(this.client, this.naming);
    for (const family of SEARCH_FAMILIES) {
      if (await this.client.indices.existsAlias({ name: this.naming.readAlias(family) })) {
        await this.client.indices.putMapping({
          index: this.naming.indexPattern(family),
          allow_no_indices: true,
          properties: mappedFields(family) as never,
        });
        continue;
      }
      const index = this.naming.initialIndexName(family);
      try {
        await this.client.indices.create({ index, aliases: this.aliasesOfNewIndex(family, index, true) });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
  }

  /** The writer aliases of every index behind each family's write alias (one GET). */
  async writeTargets(): Promise<Map<SearchFamily, string[]>> {
    const response = await this.client.indices.getAlias({
      name: SEARCH_FAMILIES.map((f) => this.naming.writeAlias(f)),
    });
    const targets = new Map<SearchFamily, string[]>(SEARCH_FAMILIES.map((family) => [family, []]));
    for (const [index, { aliases }] of Object.entries(response)) {
      for (const family of SEARCH_FAMILIES) {
        if (aliases[this.naming.writeAlias(family)])
          targets.get(family)!.push(this.naming.writerAliasOf(index));
      }
    }
    return targets;
  }

  /** The concrete indices a read alias points at. */
  async readIndices(family: SearchFamily): Promise<string[]> {
    const response = await this.client.indices.getAlias({ name: this.naming.readAlias(family) });
    return Object.keys(response);
  }

  /** A fresh, empty index that from now on receives live writes too (it joins the write alias). */
  async startRebuild(family: SearchFamily): Promise<string> {
    const index = this.naming.newIndexName(family);
    await this.client.indices.create({ index, aliases: this.aliasesOfNewIndex(family, index, false) });
    return index;
  }

  /** Points both aliases at `index` alone in one atomic change, then drops the indices it replaced. */
  async completeRebuild(family: SearchFamily, index: string): Promise<string[]> {
    await this.client.indices.refresh({ index });
    const previous = (await this.readIndices(family)).filter((name) => name !== index);
    const read = this.naming.readAlias(family);
    const write = this.naming.writeAlias(family);
    await this.client.indices.updateAliases({
      actions: [
        ...previous.flatMap((old) => [
          { remove: { index: old, alias: read } },
          { remove: { index: old, alias: write } },
        ]),
        { add: { index, alias: read } },
      ],
    });
    if (previous.length) await this.client.indices.delete({ index: previous, ignore_unavailable: true });
    return previous;
  }

  /** Undoes startRebuild: the half-loaded index leaves the write alias and is deleted. */
  async abortRebuild(index: string): Promise<void> {
    await this.client.indices.delete({ index, ignore_unavailable: true });
  }

  /** Makes everything written so far searchable (tests, rebuild completion). */
  async refresh(): Promise<void> {
    await this.client.indices.refresh({
      index: SEARCH_FAMILIES.map((family) => this.naming.readAlias(family)),
    });
  }

  /** Removes every index and template of this prefix (tests and benchmarks own their prefix). */
  async deleteAll(): Promise<void> {
    // Deleting by wildcard is refused (action.destructive_requires_name): resolve the names first.
    const owned = Object.keys(
      await this.client.indices.get({ index: `${this.naming.prefix}-*`, allow_no_indices: true }),
    );
    if (owned.length) await this.client.indices.delete({ index: owned, ignore_unavailable: true });
    for (const family of SEARCH_FAMILIES) {
      await this.client.indices
        .deleteIndexTemplate({ name: this.naming.indexTemplate(family) })
        .catch(() => undefined);
    }
    await this.client.cluster
      .deleteComponentTemplate({ name: this.naming.componentTemplate() })
      .catch(() => undefined);
  }

  private aliasesOfNewIndex(family: SearchFamily, index: string, readable: boolean): Record<string, object> {
    return {
      ...(readable ? { [this.naming.readAlias(family)]: {} } : {}),
      [this.naming.writeAlias(family)]: {},
      [this.naming.writerAliasOf(index)]: {},
    };
  }
}

function isAlreadyExists(error: unknown): boolean {
  const type = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
  return type === 'resource_already_exists_exception';
}
