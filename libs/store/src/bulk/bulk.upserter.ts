import { FhirError, findProblems, isValidFhirId, operationOutcome, type Problem } from '@continuum/fhir';
import type { OperationOutcome, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { ResourceRepository } from '../repository/resource.repository';
import type { PlannedVersion, StoreOptions, StoredResource, WriteContext } from '../store.types';
import { planVersion, sameContent, stamp } from '../version.planner';
import { VersionWriter } from '../version.writer';
import { inTransaction } from '../database/transaction.runner';

export interface BulkEntry {
  /** The resource with its id (ingestion derives ids from source identifiers, so a replay hits the same row). */
  resource: Resource;
  /**
   * The source system's own time of this copy (e.g. the message's event time). A copy older than the one stored is
   * skipped as `stale`; without it, only identical replays are detected.
   */
  sourceUpdated?: string;
  /**
   * The caller has already run `findProblems` (the same rules, same size limit) on exactly this resource, e.g.
   * ingestion, which validates each message whole before writing so that it can refuse it whole. Skips the repeat.
   */
  validated?: boolean;
}

export interface BulkEntryResult {
  index: number;
  resourceType: string;
  id?: string;
  /** `unchanged`: identical to the stored version (a replay), no new version. `stale`: older than the stored copy. */
  outcome: 'created' | 'updated' | 'unchanged' | 'stale' | 'invalid';
  versionId?: number;
  detail?: OperationOutcome;
}

interface Candidate {
  index: number;
  key: string;
  resource: Resource;
  sourceUpdated: Date | null;
}

/**
 * Ingestion's bulk write: the same validation, versioning, compartments, outbox and index rows as single writes,
 * but one statement per table for the whole batch (unnest) and one index write. Rows are locked in key order, so
 * concurrent batches queue instead of deadlocking. Entries are independent: an invalid or stale one is reported,
 * the rest are written.
 */
export class BulkUpserter {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly repository: ResourceRepository,
    private readonly versions: VersionWriter,
    private readonly options: StoreOptions = {},
  ) {}

  async upsertMany(entries: BulkEntry[], context: WriteContext = {}): Promise<BulkEntryResult[]> {
    const results: BulkEntryResult[] = [];
    const candidates: Candidate[] = [];
    entries.forEach((entry, index) => {
      const problems = this.problemsOf(entry);
      const { resourceType, id } = entry.resource ?? {};
      if (problems.length)
        results[index] = { index, resourceType, id, outcome: 'invalid', detail: operationOutcome(problems) };
      else
        candidates.push({
          index,
          key: `${resourceType}/${id}`,
          resource: entry.resource,
          sourceUpdated: entry.sourceUpdated ? new Date(entry.sourceUpdated) : null,
        });
    });
    if (candidates.length === 0) return results;

    await inTransaction(this.sql, async (tx) => {
      const keys = [...new Set(candidates.map((candidate) => candidate.key))].sort().map(splitKey);
      const state = await this.repository.lockMany(tx, keys);
      // a resource repeated in one batch gets one version per round: a statement cannot update a row twice
      const rounds: PlannedVersion[][] = [];
      const roundOf = new Map<string, number>();
      for (const candidate of candidates) {
        const current = state.get(candidate.key);
        const { resourceType, id } = splitKey(candidate.key);
        const base = { index: candidate.index, resourceType, id };
        if (
          current?.sourceUpdated &&
          candidate.sourceUpdated &&
          candidate.sourceUpdated < current.sourceUpdated
        ) {
          results[candidate.index] = {
            ...base,
            outcome: 'stale',
            versionId: current.versionId,
            detail: staleOutcome(candidate, current),
          };
          continue;
        }
        // an identical replay is dropped before planning, which would compute compartments for nothing
        if (current?.content && !current.deleted) {
          const replayed = stamp(candidate.resource, id, current.versionId, current.lastUpdated, context);
          if (sameContent(current.content, replayed)) {
            results[candidate.index] = { ...base, outcome: 'unchanged', versionId: current.versionId };
            continue;
          }
        }
        const version = planVersion({
          current,
          resourceType,
          id,
          resource: candidate.resource,
          context,
          sourceUpdated: candidate.sourceUpdated ?? current?.sourceUpdated ?? null,
          baseUrl: this.options.baseUrl,
        });
        const round = roundOf.get(candidate.key) ?? 0;
        roundOf.set(candidate.key, round + 1);
        (rounds[round] ??= []).push(version);
        state.set(candidate.key, asStored(version, current));
        results[candidate.index] = {
          ...base,
          outcome: version.operation === 'create' ? 'created' : 'updated',
          versionId: version.versionId,
        };
      }
      for (const round of rounds) {
        const { conflicted } = await this.versions.write(tx, round);
        if (conflicted.length) {
          // only a concurrent create of the same new id gets here (existing rows are locked): retry the batch
          throw FhirError.of(
            409,
            'conflict',
            `Concurrent writes to ${conflicted.map((v) => `${v.resourceType}/${v.id}`).join(', ')}; retry the batch`,
          );
        }
      }
    });
    return results;
  }

  private problemsOf(entry: BulkEntry): Problem[] {
    const resource = entry.resource as Resource | undefined;
    if (!resource?.id || !isValidFhirId(resource.id)) {
      return [
        {
          code: 'required',
          diagnostics: 'Bulk entries need a resource with a valid id',
          expression: [`${resource?.resourceType ?? 'Resource'}.id`],
        },
      ];
    }
    if (entry.sourceUpdated !== undefined && Number.isNaN(new Date(entry.sourceUpdated).getTime())) {
      return [{ code: 'value', diagnostics: `Invalid sourceUpdated '${entry.sourceUpdated}'` }];
    }
    if (entry.validated) return [];
    return findProblems(resource, { maxResourceBytes: this.options.maxResourceBytes }).filter(
      (problem) => (problem.severity ?? 'error') === 'error',
    );
  }
}

function splitKey(key: string): { resourceType: string; id: string } {
  const slash = key.indexOf('/');
  return { resourceType: key.slice(0, slash), id: key.slice(slash + 1) };
}

function asStored(version: PlannedVersion, previous: StoredResource | undefined): StoredResource {
  return {
    resourceType: version.resourceType,
    id: version.id,
    resourceKey: previous?.resourceKey ?? '',
    versionId: version.versionId,
    lastUpdated: version.lastUpdated,
    deleted: version.content === null,
    sourceSystem: version.sourceSystem,
    sourceUpdated: version.sourceUpdated,
    content: version.content,
  };
}

function staleOutcome(candidate: Candidate, current: StoredResource): OperationOutcome {
  return operationOutcome([
    {
      severity: 'information',
      code: 'conflict',
      diagnostics: `Skipped: this copy (source time ${candidate.sourceUpdated?.toISOString()}) is older than the stored version ${current.versionId} (source time ${current.sourceUpdated?.toISOString()})`,
    },
  ]);
}
