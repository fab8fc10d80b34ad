import {
  applyElements,
  type ExportParameters,
  isFhirError,
  operationOutcome,
  parseSearchRequest,
} from '@continuum/fhir';
import type { ExportJob, ExportJobs, ResourceStore, ScannedResource, ScanOptions } from '@continuum/store';
import type { Bundle, Group, Resource } from 'fhir/r4';
import { asKickOffCaller } from './export-job';
import type { ExportFileStore } from './export-file.store';
import { ExportPartsWriter } from './export-parts.writer';
import { type ExportSettings, leaseMsOf } from './export-settings';

/**
 * How a run ended: done; cut into slices for any worker to claim (a large export: docs/bulk-export.md); or stopped
 * because the worker no longer holds the job (cancelled, failed by another slice, or taken over).
 */
export type RunOutcome = 'completed' | 'sliced' | 'lost';

/** Raised inside a run when its worker lost the job: the run stops where it is. */
class JobLost extends Error {}

const SETTLE_POLL_MS = 50;
/** The longest an export waits for writers open at its transactionTime (the pool's statement timeout bounds them). */
const SETTLE_LIMIT_MS = 60_000;

/**
 * Runs one claimed export job: inside the kick-off caller's access scope (so the secured door applies its scopes,
 * consent, the national data opt-out for secondary use, and audits every page), one keyset scan of the record up
 * to the transactionTime, from the job's stored position; each page's resources appended as NDJSON to their type's
 * file, deletions (with `_since`) as Bundles of DELETE requests; the position and files checkpointed together, so a
 * worker that dies loses at most the lines since the last checkpoint, which its successor writes again.
 *
 * A new export estimated at more than `sliceRows` rows is first sliced instead: one job per key range, each run
 * as above over its range into files of its own, so that several processes read one export at once (one process
 * waits on its one scan's connection: docs/bulk-export.md, "Slices").
 */
export class ExportRunner {
  constructor(
    private readonly store: ResourceStore,
    private readonly jobs: ExportJobs,
    private readonly files: ExportFileStore,
    private readonly settings: ExportSettings,
  ) {}

  async run(job: ExportJob, workerId: string, lost: () => boolean): Promise<RunOutcome> {
    const parameters = job.parameters as ExportParameters;
    return asKickOffCaller(job, 'GET', async () => {
      if (this.sliceable(job)) {
        const boundaries = await this.sliceBoundaries(job, parameters);
        if (boundaries.length)
          return (await this.jobs.slice(job.id, workerId, boundaries)) ? 'sliced' : 'lost';
      }
      const parts = new ExportPartsWriter(
        this.files,
        job.parentId ?? job.id,
        this.settings.maxFileBytes,
        await this.jobs.files(job.id),
        job.slice ?? undefined,
      );
      try {
        if (!(await settleWriters(this.jobs, job.transactionTime, lost))) throw new JobLost();
        const issues = [...job.issues];
        let exported = job.exported;
        let position = job.resumeAfter;
        let checkpointed = Date.now();
        // what the cohort reports (a Group's members that are not Patients) is reported once, by the first slice
        const reported = (job.slice ?? 1) === 1 ? issues : [];
        const scan = this.store.scanCheckpointed(await this.scanOptions(job, parameters, reported));
        // the audit of what the files gained commits with the checkpoint that records them: a file is listed (and
        // downloadable) only once the job completes, after its last checkpoint, so nothing leaves unaudited
        const checkpoint = async (files: Awaited<ReturnType<ExportPartsWriter['flush']>>) => {
          const saved = await this.jobs.checkpoint(
            job.id,
            workerId,
            leaseMsOf(this.settings),
            { resumeAfter: position, exported, files, issues },
            (tx) => scan.auditCheckpoint(tx),
          );
          if (!saved) throw new JobLost();
          checkpointed = Date.now();
        };
        // one page ahead: the secured door reads the next page while this one is written
        const pages = scan.pages[Symbol.asyncIterator]();
        try {
          for (let next = ahead(pages); ; ) {
            const { done, value: page } = await next;
            if (done) break;
            next = ahead(pages);
            // postgres.js sends the request for that page on the next tick: let it leave before this page's work, so
            // Postgres reads the next page while this one is written (without it the two took turns: docs/bulk-export.md)
            await new Promise((resolve) => setImmediate(resolve));
            if (lost()) throw new JobLost();
            exported += await this.writePage(page, parameters, parts);
            position = page[page.length - 1].resourceKey;
            if (Date.now() - checkpointed >= this.settings.checkpointEveryMs) await checkpoint(await parts.flush());
          }
        } finally {
          // a run that stops early closes the scan, which gives back its database connection
          await pages.return?.().catch(() => undefined);
        }
        if (issues.length)
          await parts.write(
            'error',
            'OperationOutcome',
            issues.map((issue) =>
              JSON.stringify(operationOutcome([{ severity: 'warning', code: 'processing', diagnostics: issue }])),
            ),
          );
        await checkpoint(await parts.finish());
        const expiresAt = new Date(Date.now() + this.settings.expiresAfterSeconds * 1000);
        return (await this.jobs.complete(job.id, workerId, expiresAt)) ? 'completed' : 'lost';
      } catch (error) {
        await parts.abandon();
        if (error instanceof JobLost) return 'lost';
        throw error;
      }
    });
  }

  /** A new Bulk Data export, not a slice, when slicing is allowed. */
  private sliceable(job: ExportJob): boolean {
    return job.kind === 'bulk-export' && !job.parentId && job.resumeAfter === null && job.exported === 0 &&
      this.settings.maxSlices > 1;
  }

  /**
   * Where the export's slices end (none: not worth slicing), from a sample of the keys it selects: a slice per
   * `sliceRows` estimated rows, at most `maxSlices`.
   */
  private async sliceBoundaries(job: ExportJob, parameters: ExportParameters): Promise<string[]> {
    const options = await this.scanOptions(job, parameters, []);
    const cut = { rowsPerRange: this.settings.sliceRows, maxRanges: this.settings.maxSlices };
    return (await this.store.scanBoundaries(options, cut)).boundaries;
  }

  /** What the job scans: its types and window, and for Patient and Group exports the compartments of the cohort. */
  private async scanOptions(
    job: ExportJob,
    parameters: ExportParameters,
    issues: string[],
  ): Promise<ScanOptions> {
    const until = parameters.until && new Date(parameters.until) < job.transactionTime
      ? new Date(parameters.until)
      : job.transactionTime;
    const options: ScanOptions = {
      ...(parameters.types ? { types: { include: parameters.types } } : {}),
      ...(parameters.since ? { since: new Date(parameters.since), includeDeleted: true } : {}),
      until,
      pageSize: this.settings.pageSize,
      contentAsBytes: true,
      // a slice reads its key range; a resumed job, or slice, from its checkpoint
      ...((job.resumeAfter ?? job.keyFrom) ? { afterKey: (job.resumeAfter ?? job.keyFrom) as string } : {}),
      ...(job.keyTo ? { upToKey: job.keyTo } : {}),
    };
    if (parameters.level === 'system') return options;
    const named = parameters.level === 'group'
      ? await this.groupMembers(parameters.groupId ?? '', issues)
      : parameters.patients;
    if (!named) return { ...options, inSomeCompartment: true };
    const patients = parameters.patients && parameters.level === 'group'
      ? named.filter((id) => parameters.patients?.includes(id))
      : named;
    return { ...options, compartment: { patientIds: await this.persons(patients) } };
  }

  /** The Patients a Group lists as active members (other member types noted in the error file). */
  private async groupMembers(groupId: string, issues: string[]): Promise<string[]> {
    const group = await this.store.read<Group>('Group', groupId);
    const members: string[] = [];
    for (const member of group.member ?? []) {
      if (member.inactive) continue;
      const id = /^(?:.*\/)?Patient\/([^/]+)$/.exec(member.entity.reference ?? '')?.[1];
      if (id) members.push(id);
      else issues.push(`Group member '${member.entity.reference ?? '(no reference)'}' is not a Patient: left out`);
    }
    return members;
  }

  /** A person, not a fragment: every record of each named patient's person. */
  private async persons(patientIds: string[]): Promise<string[]> {
    const all = new Set<string>();
    for (const id of patientIds) for (const record of await this.store.personOf(id)) all.add(record);
    return [...all].sort();
  }

  /** Writes one page: live resources to their type's file (after `_typeFilter`), deletions as one Bundle. */
  private async writePage(
    page: ScannedResource[],
    parameters: ExportParameters,
    parts: ExportPartsWriter,
  ): Promise<number> {
    const byType = new Map<string, ScannedResource[]>();
    const deleted: ScannedResource[] = [];
    for (const row of page) {
      if (row.deleted) deleted.push(row);
      else {
        const rows = byType.get(row.resourceType);
        if (rows) rows.push(row);
        else byType.set(row.resourceType, [row]);
      }
    }
    let written = 0;
    for (const [type, rows] of byType) {
      const kept = await this.typeFiltered(type, rows, parameters.typeFilters[type]);
      const names = elementsFor(type, parameters.elements);
      await parts.write(
        'output',
        type,
        kept.map((row) => lineOf(row, names)),
      );
      written += kept.length;
    }
    if (deleted.length) {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: deleted.map((row) => ({
          request: { method: 'DELETE', url: `${row.resourceType}/${row.id}` },
        })),
      };
      await parts.write('deleted', 'Bundle', [JSON.stringify(bundle)]);
    }
    return written;
  }

  /**
   * The rows that match at least one of the type's `_typeFilter` queries, decided by the store's search (through
   * the secured door) restricted to the page's ids: the same search semantics as the FHIR API's.
   */
  private async typeFiltered(
    type: string,
    rows: ScannedResource[],
    queries: string[] | undefined,
  ): Promise<ScannedResource[]> {
    if (!queries?.length) return rows;
    const matched = new Set<string>();
    for (const query of queries) {
      const params = new URLSearchParams(query);
      params.append('_id', rows.map((row) => row.id).join(','));
      const request = parseSearchRequest(type, params, { strict: true, baseUrl: this.settings.baseUrl });
      request.count = rows.length;
      request.total = 'none';
      for (;;) {
        const result = await this.store.search(request);
        result.matches.forEach((match) => matched.add(match.id));
        if (!result.next) break;
        request.cursor = result.next;
      }
    }
    return rows.filter((row) => matched.has(row.id));
  }
}

/** The iterator's next page, its failure handled here too so that a run that stops early leaves none unhandled. */
function ahead<T>(pages: AsyncIterator<T>): Promise<IteratorResult<T>> {
  const next = pages.next();
  next.catch(() => undefined);
  return next;
}

/** One NDJSON line: the stored JSON's bytes as they are, unless `_elements` subsets it. */
function lineOf(row: ScannedResource, elements: string[] | undefined): Buffer | string {
  if (!elements) return row.contentBytes ?? JSON.stringify(row.content);
  const resource = row.contentBytes ? (JSON.parse(row.contentBytes.toString('utf8')) as Resource) : row.content;
  return JSON.stringify(applyElements(resource as Resource, elements));
}

/** `_elements` names that apply to a type (unqualified ones, and `Type.name` for it); undefined: the whole resource. */
export function elementsFor(type: string, elements: string[] | undefined): string[] | undefined {
  if (!elements?.length) return undefined;
  const names = elements.flatMap((element) => {
    if (!element.includes('.')) return [element];
    const [qualifier, name] = element.split('.', 2);
    return qualifier === type ? [name] : [];
  });
  return names.length ? names : undefined;
}

/** Why a job failed, as the client reads it in the status answer. */
/**
 * Waits until no transaction that began by the transactionTime is still open (see ExportJobs.writersOpenSince), so
 * a snapshot `until` it misses nothing committed late; false when the job was lost meanwhile.
 */
export async function settleWriters(jobs: ExportJobs, transactionTime: Date, lost: () => boolean): Promise<boolean> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  while ((await jobs.writersOpenSince(transactionTime)) && Date.now() < deadline) {
    if (lost()) return false;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  return true;
}

export function failureReasonOf(error: unknown): string | undefined {
  return isFhirError(error) && !error.retryable ? error.message : undefined;
}
