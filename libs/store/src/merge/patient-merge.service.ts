import { randomUUID } from 'node:crypto';
import {
  buildMergeProvenance,
  conflict,
  gone,
  LIFECYCLE_SYSTEM,
  type MergeAgent,
  mergedPatient,
  mergeRefusal,
  MergeRefusedError,
  type MergeTarget,
  NOT_REPOINTED,
  notFound,
  readMergeProvenance,
  repointReferences,
  replacedBy,
  restoreReferences,
  survivingPatient,
  unmergedPatient,
  unmergedSurvivor,
} from '@continuum/fhir';
import type { Patient, Provenance, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { inTransaction } from '../database/transaction.runner';
import type { ResourceRepository } from '../repository/resource.repository';
import type { PlannedVersion, StoredResource, StoreOptions } from '../store.types';
import { planVersion, sameContent } from '../version.planner';
import type { VersionWriter } from '../version.writer';
import { MergeIdentity } from './merge-identity.sql';

export interface MergeRequest {
  /** M: the patient merged away. */
  mergedPatientId: string;
  /** S: the patient that survives. */
  survivingPatientId: string;
  agent: MergeAgent;
  reason?: string;
  /** The system whose message asked (HL7 A40): the Provenance's meta.source. */
  sourceSystem?: string;
  requestId?: string;
  /** Stored as M when M was never seen before (an A40 naming an unknown record): nothing then to re-point. */
  mergedPlaceholder?: Patient;
  /** Runs inside the merge's transaction (the operator's audit row commits with it). */
  inTransaction?: (tx: postgres.TransactionSql) => Promise<void>;
}

export interface UnmergeRequest {
  mergedPatientId: string;
  agent: MergeAgent;
  reason?: string;
  sourceSystem?: string;
  requestId?: string;
  inTransaction?: (tx: postgres.TransactionSql) => Promise<void>;
}

export interface MergePreview {
  mergedPatientId: string;
  survivingPatientId: string;
  /** Resources that would get a version re-pointed to the survivor, per type. */
  counts: Record<string, number>;
  merged: Patient;
  surviving: Patient;
}

export interface MergeResult {
  /** `unchanged`: M was already merged into S and nothing referred to M any more (a replay). */
  outcome: 'merged' | 'unchanged';
  provenanceId?: string;
  merged: Patient;
  surviving: Patient;
  /** Versions written for re-pointed resources, `Type/id/_history/n`. */
  repointed: string[];
  counts: Record<string, number>;
}

export interface UnmergeResult {
  provenanceId: string;
  merged: Patient;
  surviving: Patient;
  /** Versions written with the references restored, `Type/id/_history/n`. */
  restored: string[];
}

/**
 * Merges a source Patient into another, and undoes it, each in one Postgres transaction: the two Patients' links
 * (M inactive `replaced-by` S, S `replaces` M), every stored resource that refers to M re-pointed to S, M's identity
 * link made a MANUAL REDIRECT to S's person, and a Provenance naming every version written. Each change is a new
 * version through the VersionWriter, so history, search rows and the outbox (hence Elasticsearch and
 * `fhir.changes`) follow as for any write. Re-pointed versions keep their source system and source timestamp, so
 * the source's stale copies still cannot overwrite them.
 */
export class PatientMergeService {
  private readonly baseUrl?: string;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly repository: ResourceRepository,
    private readonly versions: VersionWriter,
    options: StoreOptions = {},
  ) {
    this.baseUrl = options.baseUrl?.replace(/\/+$/, '');
  }

  /** What a merge would change, changing nothing (refused as the merge would be). */
  preview(request: Pick<MergeRequest, 'mergedPatientId' | 'survivingPatientId'>): Promise<MergePreview> {
    return inTransaction(this.sql, async (tx) => {
      const { mergedPatientId: m, survivingPatientId: s } = request;
      const survivor = live(await this.repository.read(tx, 'Patient', s), s, 'surviving');
      const merged = live(await this.repository.read(tx, 'Patient', m), m, 'merged');
      this.assertMergeable(m, merged, s, survivor);
      const counts: Record<string, number> = {};
      for (const ref of await this.referring(tx, m))
        counts[ref.resourceType] = (counts[ref.resourceType] ?? 0) + 1;
      return {
        mergedPatientId: m,
        survivingPatientId: s,
        counts,
        merged: mergedPatient(merged, s),
        surviving: survivingPatient(survivor, m),
      };
    });
  }

  /**
   * The refusal a merge would meet now (a merge into itself, into a patient merged away, of a patient merged
   * elsewhere), without locking or writing: lets ingest dead-letter an A40 before storing any of it. The merge
   * checks again under its locks.
   */
  async refusalOf(
    mergedPatientId: string,
    survivingPatientId: string,
  ): Promise<MergeRefusedError | undefined> {
    const [merged, survivor] = await Promise.all([
      this.repository.read(this.sql, 'Patient', mergedPatientId),
      this.repository.read(this.sql, 'Patient', survivingPatientId),
    ]);
    const refusal = mergeRefusal(
      { id: mergedPatientId, patient: (merged?.content ?? undefined) as Patient | undefined },
      { id: survivingPatientId, patient: (survivor?.content ?? { resourceType: 'Patient' }) as Patient },
      this.baseUrl,
    );
    if (refusal) return new MergeRefusedError(refusal.code, refusal.problem.diagnostics);
    const [redirect] = await this.sql`
      SELECT 1 FROM identity_link WHERE patient_id = ${survivingPatientId} AND state = 'REDIRECT'`;
    return redirect
      ? new MergeRefusedError('merge-target-merged', `Patient/${survivingPatientId} was itself merged away`)
      : undefined;
  }

  merge(request: MergeRequest): Promise<MergeResult> {
    const { mergedPatientId: m, survivingPatientId: s } = request;
    return inTransaction(this.sql, async (tx) => {
      const identity = new MergeIdentity(tx);
      await identity.lock([m, s]);
      const rows = await this.repository.lockMany(tx, [
        { resourceType: 'Patient', id: m },
        { resourceType: 'Patient', id: s },
      ]);
      const survivorRow = rows.get(`Patient/${s}`);
      const survivor = live(survivorRow, s, 'surviving');
      const mergedRow = rows.get(`Patient/${m}`);
      // a merged patient never stored is the placeholder the message names (an operator's merge names stored ones)
      const mergedContent =
        mergedRow || !request.mergedPlaceholder
          ? live(mergedRow, m, 'merged')
          : { ...request.mergedPlaceholder, id: m };
      this.assertMergeable(m, mergedContent, s, survivor);
      if ((await identity.identityOf(s))?.state === 'REDIRECT')
        throw new MergeRefusedError(
          'merge-target-merged',
          `Patient/${s} was itself merged away (identity REDIRECT)`,
        );

      const actor = actorOf(request.agent);
      const survivorPerson = await identity.personOfSurvivor(s, actor);
      const before = await identity.identityOf(m);
      const alreadyMerged =
        replacedBy(mergedContent, this.baseUrl) === s &&
        before?.state === 'REDIRECT' &&
        before.personId === survivorPerson;

      const referring = await this.referring(tx, m);
      const locked = await this.repository.lockMany(tx, referring);
      const planned: { version: PlannedVersion; paths: string[] }[] = [];
      for (const ref of referring) {
        const current = locked.get(`${ref.resourceType}/${ref.id}`);
        if (!current?.content || current.deleted) continue;
        const { resource, paths } = repointReferences(current.content, m, s, this.baseUrl);
        if (paths.length) planned.push({ version: this.next(current, resource, request), paths });
      }
      const nextMerged = mergedPatient(mergedContent, s);
      const nextSurvivor = survivingPatient(survivor, m);
      const patients = [
        this.next(mergedRow, nextMerged, request, 'Patient', m),
        this.next(survivorRow, nextSurvivor, request),
      ].filter((version) => version.content && changed(version, rows));
      if (alreadyMerged && planned.length === 0 && patients.length === 0)
        return {
          outcome: 'unchanged',
          merged: mergedContent,
          surviving: survivor,
          repointed: [],
          counts: {},
        };

      const reason = request.reason ?? `merged into Patient/${s}`;
      if (!alreadyMerged) await identity.redirect(m, survivorPerson, actor, reason);
      // M's person follows S's: its other records (other sources' records of the same human) move with it
      const moved =
        before && !alreadyMerged
          ? await identity.fold(before.personId, survivorPerson, m, actor, reason)
          : [];
      const written = [...planned, ...patients.map((version) => ({ version, paths: [] }))];
      const provenance = buildMergeProvenance({
        id: randomUUID(),
        activity: 'merge',
        mergedPatientId: m,
        survivingPatientId: s,
        targets: written.map(targetOf),
        agent: request.agent,
        recorded: new Date().toISOString(),
        reason: request.reason,
        ...(before && !alreadyMerged
          ? { previousPerson: { personId: before.personId, origin: before.origin }, movedPatientIds: moved }
          : {}),
      });
      await this.write(tx, [
        ...written.map(({ version }) => version),
        this.next(undefined, provenance, request, 'Provenance', provenance.id!),
      ]);
      await request.inTransaction?.(tx);
      return {
        outcome: 'merged',
        provenanceId: provenance.id,
        merged: nextMerged,
        surviving: nextSurvivor,
        repointed: planned.map(({ version }) => versionRef(version)),
        counts: countByType(planned.map(({ version }) => version)),
      };
    });
  }

  /**
   * Undoes M's merge: the references recorded in its merge Provenance(s) point to M again (new versions, history
   * kept), M is active again without its `replaced-by`, S loses its `replaces`, M's identity is what it was before.
   */
  unmerge(request: UnmergeRequest): Promise<UnmergeResult> {
    const m = request.mergedPatientId;
    return inTransaction(this.sql, async (tx) => {
      const mergedNow = live(await this.repository.read(tx, 'Patient', m), m, 'merged');
      const s = replacedBy(mergedNow, this.baseUrl);
      if (!s)
        throw new MergeRefusedError(
          'not-merged',
          `Patient/${m} is not merged into another patient: nothing to unmerge`,
        );
      const identity = new MergeIdentity(tx);
      await identity.lock([m, s]);
      const rows = await this.repository.lockMany(tx, [
        { resourceType: 'Patient', id: m },
        { resourceType: 'Patient', id: s },
      ]);
      // read before the locks to know S: under them, M must still be merged into S (a concurrent unmerge won)
      if (replacedBy(rows.get(`Patient/${m}`)?.content as Patient | undefined, this.baseUrl) !== s)
        throw new MergeRefusedError('not-merged', `Patient/${m} was unmerged meanwhile`);
      const merges = await this.mergeProvenances(tx, m, s);
      if (!merges.length)
        throw new MergeRefusedError(
          'not-merged',
          `No merge Provenance records Patient/${m} into Patient/${s}`,
        );
      const recorded = merges.map(readMergeProvenance);
      const paths = new Map<string, Set<string>>();
      for (const target of recorded.flatMap((merge) => merge.targets))
        if (target.paths.length) {
          const key = `${target.resourceType}/${target.id}`;
          paths.set(key, new Set([...(paths.get(key) ?? []), ...target.paths]));
        }
      const keys = [...paths.keys()].map((key) => {
        const [resourceType, id] = key.split('/');
        return { resourceType, id };
      });
      const locked = await this.repository.lockMany(tx, keys);
      const restored: PlannedVersion[] = [];
      const targets: MergeTarget[] = [];
      for (const [key, recordedPaths] of paths) {
        const current = locked.get(key);
        if (!current?.content || current.deleted) continue;
        const back = restoreReferences(current.content, [...recordedPaths], m, s, this.baseUrl);
        if (!back.paths.length) continue;
        const version = this.next(current, back.resource, request);
        restored.push(version);
        targets.push(targetOf({ version, paths: back.paths }));
      }
      const mergedRow = rows.get(`Patient/${m}`)!;
      const survivorRow = rows.get(`Patient/${s}`)!;
      const nextMerged = unmergedPatient(live(mergedRow, m, 'merged'), s, this.baseUrl);
      const nextSurvivor = unmergedSurvivor(live(survivorRow, s, 'surviving'), m, this.baseUrl);
      const patients = [
        this.next(mergedRow, nextMerged, request),
        this.next(survivorRow, nextSurvivor, request),
      ];
      const previous = [...recorded].reverse().find((merge) => merge.previousPerson)?.previousPerson;
      const reason = request.reason ?? `unmerged from Patient/${s}`;
      const survivorPerson = (await identity.identityOf(s))?.personId;
      const restoredPerson = await identity.restore(m, previous, actorOf(request.agent), reason);
      const moved = [...new Set(recorded.flatMap((merge) => merge.movedPatientIds))];
      if (survivorPerson && restoredPerson === previous?.personId)
        await identity.unfold(moved, survivorPerson, restoredPerson, actorOf(request.agent), reason);
      const provenance = buildMergeProvenance({
        id: randomUUID(),
        activity: 'unmerge',
        mergedPatientId: m,
        survivingPatientId: s,
        targets: [...targets, ...patients.map((version) => targetOf({ version, paths: [] }))],
        agent: request.agent,
        recorded: new Date().toISOString(),
        reason: request.reason,
        undoes: merges.map((merge) => merge.id!),
      });
      await this.write(tx, [
        ...restored,
        ...patients,
        this.next(undefined, provenance, request, 'Provenance', provenance.id!),
      ]);
      await request.inTransaction?.(tx);
      return {
        provenanceId: provenance.id!,
        merged: nextMerged,
        surviving: nextSurvivor,
        restored: restored.map(versionRef),
      };
    });
  }

  private assertMergeable(m: string, merged: Patient | undefined, s: string, survivor: Patient): void {
    const refusal = mergeRefusal({ id: m, patient: merged }, { id: s, patient: survivor }, this.baseUrl);
    if (refusal) throw new MergeRefusedError(refusal.code, refusal.problem.diagnostics);
  }

  /**
   * The live resources that may refer to M: its patient compartment (GIN-indexed) and any other indexed reference
   * to it; Patients and Provenances are left out (NOT_REPOINTED). The content decides which references move.
   */
  private async referring(
    tx: postgres.TransactionSql,
    patientId: string,
  ): Promise<{ resourceType: string; id: string }[]> {
    const excluded = [...NOT_REPOINTED];
    const rows = await tx<{ resource_type: string; id: string }[]>`
      SELECT resource_type, id FROM resource
      WHERE compartments @> ARRAY[${patientId}]::text[] AND NOT deleted AND resource_type <> ALL(${excluded}::text[])
      UNION
      SELECT r.resource_type, r.id FROM search_reference ref
      JOIN resource r ON r.resource_type = ref.resource_type AND r.resource_key = ref.resource_key
      WHERE ref.target_id = ${patientId} AND ref.target_type = 'Patient' AND NOT r.deleted
        AND r.resource_type <> ALL(${excluded}::text[])
      ORDER BY 1, 2`;
    return rows.map((row) => ({ resourceType: row.resource_type, id: row.id }));
  }

  /** The merge Provenances of M into S since its last unmerge, oldest first. */
  private async mergeProvenances(tx: postgres.TransactionSql, m: string, s: string): Promise<Provenance[]> {
    const rows = await tx<{ content: Provenance }[]>`
      SELECT content FROM resource
      WHERE resource_type = 'Provenance' AND NOT deleted AND compartments @> ARRAY[${m}]::text[]
        AND content->'activity'->'coding' @> ${tx.json([{ system: LIFECYCLE_SYSTEM }])}
      ORDER BY last_updated DESC`;
    const found: Provenance[] = [];
    for (const { content } of rows) {
      const recorded = readMergeProvenance(content);
      if (recorded.mergedPatientId !== m || recorded.survivingPatientId !== s) continue;
      if (recorded.activity === 'unmerge') break;
      if (recorded.activity === 'merge') found.push(content);
    }
    return found.reverse();
  }

  /** The next version of a resource, keeping its source system and source timestamp (the stale-copy guard). */
  private next(
    current: StoredResource | undefined,
    resource: Resource,
    request: { sourceSystem?: string; requestId?: string },
    resourceType = current?.resourceType ?? resource.resourceType,
    id = current?.id ?? resource.id!,
  ): PlannedVersion {
    const sourceSystem = current ? (current.sourceSystem ?? undefined) : request.sourceSystem;
    return planVersion({
      current,
      resourceType,
      id,
      resource,
      context: { sourceSystem, requestId: request.requestId },
      sourceUpdated: current?.sourceUpdated ?? null,
      baseUrl: this.baseUrl,
    });
  }

  private async write(tx: postgres.TransactionSql, versions: PlannedVersion[]): Promise<void> {
    const { conflicted } = await this.versions.write(tx, versions);
    // every row was locked first, so a conflict is a bug rather than a race: refuse rather than half-apply
    if (conflicted.length) throw conflict(`Concurrent writes while merging (${conflicted.length}); retry`);
  }
}

function live(row: StoredResource | undefined, id: string, role: 'merged' | 'surviving'): Patient {
  if (!row) throw notFound(`The ${role} patient Patient/${id} is not stored`);
  if (row.deleted || !row.content) throw gone(`The ${role} patient Patient/${id} was deleted`);
  return row.content as Patient;
}

function changed(version: PlannedVersion, rows: Map<string, StoredResource>): boolean {
  const current = rows.get(`${version.resourceType}/${version.id}`);
  return !current?.content || current.deleted || !sameContent(current.content, version.content);
}

function targetOf({ version, paths }: { version: PlannedVersion; paths: string[] }): MergeTarget {
  return { resourceType: version.resourceType, id: version.id, versionId: version.versionId, paths };
}

function versionRef(version: PlannedVersion): string {
  return `${version.resourceType}/${version.id}/_history/${version.versionId}`;
}

function countByType(versions: PlannedVersion[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const version of versions) counts[version.resourceType] = (counts[version.resourceType] ?? 0) + 1;
  return counts;
}

function actorOf(agent: MergeAgent): string {
  return agent.identifier ? `${agent.display} (${agent.identifier.value})` : agent.display;
}
