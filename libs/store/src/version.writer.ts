import type postgres from 'postgres';
import { ConsentDirectiveWriter } from './consent/consent-directive.writer';
import { ResourceRepository } from './repository/resource.repository';
import type { SearchIndexPort } from './store.ports';
import type { PlannedVersion } from './store.types';

export interface WrittenVersions {
  written: (PlannedVersion & { resourceKey: string })[];
  /** Versions whose resource moved on since they were planned (a concurrent writer won): nothing was written. */
  conflicted: PlannedVersion[];
}

/**
 * Turns planned versions into rows: current row (guarded by version), history, outbox, search index and (for
 * Consents) the patients' consent directives, all in the caller's transaction, one statement per table whatever the number of versions. At most one version per
 * resource per call (a statement cannot update the same row twice).
 */
export class VersionWriter {
  constructor(
    private readonly repository: ResourceRepository,
    private readonly searchIndex: SearchIndexPort,
    private readonly consentDirectives = new ConsentDirectiveWriter(),
  ) {}

  async write(tx: postgres.TransactionSql, versions: PlannedVersion[]): Promise<WrittenVersions> {
    if (versions.length === 0) return { written: [], conflicted: [] };
    const keys = await this.repository.writeCurrent(tx, versions);
    const written: (PlannedVersion & { resourceKey: string })[] = [];
    const conflicted: PlannedVersion[] = [];
    for (const version of versions) {
      const resourceKey = keys.get(`${version.resourceType}/${version.id}`);
      if (resourceKey) written.push({ ...version, resourceKey });
      else conflicted.push(version);
    }
    if (written.length === 0) return { written, conflicted };
    await this.repository.appendHistory(tx, written);
    await this.repository.appendChanges(tx, written);
    await this.searchIndex.write(
      tx,
      written.map((version) => ({
        resourceType: version.resourceType,
        resourceKey: version.resourceKey,
        resource: version.content,
        // a first version was written only if no row existed (the guard wants version 0), so it has no index rows
        mayHaveRows: version.versionId !== 1,
      })),
    );
    await this.consentDirectives.write(
      tx,
      written.map((version) => ({ ...version, mayHaveRows: version.versionId !== 1 })),
    );
    return { written, conflicted };
  }
}
