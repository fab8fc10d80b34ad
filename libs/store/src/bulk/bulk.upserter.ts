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
  /**
   * Write only if the resource has no current version (a placeholder that must not overwrite a fuller record);
   * otherwise the entry is `unchanged`.
   */
  ifAbsent?: boolean;
  /**
   * Top-level elements the source did not send with this copy (e.g. an HL7 ADT without NK1 says nothing about
   * contacts): when absent here they are taken from the stored version instead of being removed.
   */
  retain?: string[];
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
  ifAbsent: boolean;
  retain: string[];
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
          ifAbsent: entry.ifAbsent === true,
          retain: entry.retain ?? [],
        });
    });
    if (candidates.length === 0) return results;

    await inTransaction(this.sql, async (tx) => {
      // Replays and stale copies are settled on an unlocked read, so concurrent batches that repeat shared records
      // (a practice, a practitioner, a patient sent with every message) do not queue on each other's row locks;
      // only what will be written is locked. A key repeated in the batch is settled under the lock, in order.
      const snapshot = await this.repository.readMany(tx, uniqueKeys(candidates));
      const repeated = repeatedKeys(candidates);
      const pending = candidates.filter((candidate) => {
        if (repeated.has(candidate.key)) return true;
        const settled = settle(
          withRetained(candidate, snapshot.get(candidate.key)),
          snapshot.get(candidate.key),
          context,
        );
        if (settled) results[candidate.index] = settled;
        return !settled;
      });
      // a key absent from the snapshot is a create; one made concurrently since fails the version guard (409, retry)
      const state = await this.repository.lockMany(
        tx,
        uniqueKeys(pending.filter((candidate) => snapshot.has(candidate.key))),
      );
      // a resource repeated in one batch gets one version per round: a statement cannot update a row twice
      const rounds: PlannedVersion[][] = [];
      const roundOf = new Map<string, number>();
      for (const pendingCandidate of pending) {
        const current = state.get(pendingCandidate.key);
        const candidate = withRetained(pendingCandidate, current);
        const { resourceType, id } = splitKey(candidate.key);
        const base = { index: candidate.index, resourceType, id };
        const settled = settle(candidate, current, context);
        if (settled) {
          results[candidate.index] = settled;
          continue;
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

/**
 * The result of a copy that needs no write: older than the stored version (`stale`), or identical to it
 * (`unchanged`, a replay — dropped before planning, which would compute compartments for nothing), or a
 * placeholder for a resource that exists (`unchanged`).
 */
function settle(
  candidate: Candidate,
  current: StoredResource | undefined,
  context: WriteContext,
): BulkEntryResult | undefined {
  const { resourceType, id } = splitKey(candidate.key);
  const base = { index: candidate.index, resourceType, id };
  if (current?.sourceUpdated && candidate.sourceUpdated && candidate.sourceUpdated < current.sourceUpdated) {
    return {
      ...base,
      outcome: 'stale',
      versionId: current.versionId,
      detail: staleOutcome(candidate, current),
    };
  }
  if (current?.content && !current.deleted) {
    if (candidate.ifAbsent) return { ...base, outcome: 'unchanged', versionId: current.versionId };
    const replayed = stamp(candidate.resource, id, current.versionId, current.lastUpdated, context);
    if (sameContent(current.content, replayed))
      return { ...base, outcome: 'unchanged', versionId: current.versionId };
  }
  return undefined;
}

/** The candidate with the elements it did not carry filled in from the stored version. */
function withRetained(candidate: Candidate, current: StoredResource | undefined): Candidate {
  const stored = current?.deleted ? null : (current?.content as Record<string, unknown> | null | undefined);
  if (!stored || candidate.retain.length === 0) return candidate;
  const resource = { ...candidate.resource } as Record<string, unknown>;
  for (const element of candidate.retain) {
    if (resource[element] === undefined && stored[element] !== undefined) resource[element] = stored[element];
  }
  return { ...candidate, resource: resource as unknown as Resource };
}

/** Distinct keys in key order: rows are locked in that order so that two batches cannot deadlock. */
function uniqueKeys(candidates: Candidate[]): { resourceType: string; id: string }[] {
  return [...new Set(candidates.map((candidate) => candidate.key))].sort().map(splitKey);
}

function repeatedKeys(candidates: Candidate[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { key } of candidates) (seen.has(key) ? repeated : seen).add(key);
  return repeated;
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
