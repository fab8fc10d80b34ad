import type { SearchFamily } from '@continuum/fhir';

/** The version of the committed mappings (mappings/*.v<N>.json); bumping it means a reindex into new indices. */
export const MAPPING_VERSION = 1;

/**
 * Names of everything one deployment (one `indexPrefix`) owns in Elasticsearch. Queries go to the read alias;
 * the indexer writes to every index behind the write alias (two of them while a rebuild runs), each through the
 * index's own writer alias with `require_alias`, so a write racing an index's removal fails instead of
 * auto-creating a stray index under the old name.
 */
export class SearchIndexNaming {
  constructor(readonly prefix: string) {}

  readAlias(family: SearchFamily): string {
    return `${this.prefix}-${family}`;
  }

  writeAlias(family: SearchFamily): string {
    return `${this.prefix}-${family}-write`;
  }

  /** The alias through which one concrete index is written. */
  writerAliasOf(index: string): string {
    return `${index}-writer`;
  }

  indexPattern(family: SearchFamily): string {
    return `${this.prefix}-${family}-v${MAPPING_VERSION}-*`;
  }

  /** `<prefix>-<family>-v<N>-<yyyymmddhhmmssSSS>`: sortable, unique per rebuild. */
  newIndexName(family: SearchFamily, at = new Date()): string {
    return `${this.prefix}-${family}-v${MAPPING_VERSION}-${at.toISOString().replace(/\D/g, '').slice(0, 17)}`;
  }

  /** The first index of a family, named deterministically so replicas starting together create it once. */
  initialIndexName(family: SearchFamily): string {
    return `${this.prefix}-${family}-v${MAPPING_VERSION}-initial`;
  }

  componentTemplate(): string {
    return `${this.prefix}-search-common-v${MAPPING_VERSION}`;
  }

  indexTemplate(family: SearchFamily): string {
    return `${this.prefix}-${family}-v${MAPPING_VERSION}`;
  }
}
