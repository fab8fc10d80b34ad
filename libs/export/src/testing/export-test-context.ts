import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportLevel } from '@continuum/fhir';
import { createLogger } from '@continuum/observability';
import {
  type AccessClaims,
  accessContextFrom,
  AuditRecorder,
  runWithAccess,
  SecuredResourceStore,
} from '@continuum/security';
import { AccessGuardrails } from '@continuum/security/access/access.guardrails';
import { auditedPatients } from '@continuum/security/audit/audit-event.builder';
import { RestrictedPeople } from '@continuum/security/access/restricted-people';
import { AuditEventSearch } from '@continuum/security/audit/audit-event.search';
import { ConsentGate } from '@continuum/security/consent/consent.gate';
import {
  AuditLog,
  ConsentQueries,
  createFhirStore,
  ExportJobs,
  type FhirStore,
  RestrictedPersonQueries,
} from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { createSql } from '@continuum/store/database/sql.factory';
import { TEST_DATABASE_URL, uniqueSuffix, waitFor } from '@continuum/testing';
import type { Bundle, Observation, Patient, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { BulkExportService, type ExportManifest } from '../bulk-export.service';
import { FilesystemExportFileStore } from '../export-file.store';
import { ExportRunner } from '../export.runner';
import type { ExportSettings } from '../export-settings';
import { ExportWorker, type ExportWorkerOptions } from '../export.worker';
import { ViewExportJobRunner, ViewExportKickOff } from '../view-export';
import { ViewRunService } from '../view-run.service';

export const BASE = 'http://localhost/fhir';

/** What a finished export holds, read back from its files. */
export interface ExportedFiles {
  manifest: ExportManifest;
  /** Output resources by type. */
  output: Map<string, Resource[]>;
  /** `Type/id` of every deletion the deleted files list. */
  deleted: string[];
  /** The error file's diagnostics. */
  errors: string[];
}

/**
 * An export stack over a scratch database of its own (so a system-level export sees only the test's data): the
 * plain store to write with, the secured door the jobs read through, the kick-off service and a worker.
 */
export async function openExportContext(settings: Partial<ExportSettings> = {}) {
  const database = await createScratchDatabase(TEST_DATABASE_URL, `continuum_test_export_${uniqueSuffix()}`);
  const sql: postgres.Sql = createSql(database.config, { applicationName: 'test-export' });
  const store: FhirStore = createFhirStore(sql, { baseUrl: BASE });
  const log = new AuditLog(sql, auditedPatients);
  const consents = new ConsentQueries(sql);
  const gate = new ConsentGate(consents);
  const audit = new AuditRecorder(log, 'export-test');
  const secured = new SecuredResourceStore(
    store,
    new AccessGuardrails(gate, BASE),
    gate,
    consents,
    audit,
    new AuditEventSearch(sql),
    new RestrictedPeople(new RestrictedPersonQueries(sql), BASE),
    { maxBundleEntries: 100, expensiveSearchesPerCaller: 4 },
  );
  const directory = mkdtempSync(join(tmpdir(), 'continuum-export-'));
  const files = new FilesystemExportFileStore(directory);
  const jobs = new ExportJobs(sql);
  const exportSettings: ExportSettings = {
    baseUrl: BASE,
    maxFileBytes: 1024 * 1024,
    pageSize: 50,
    retryAfterSeconds: 1,
    expiresAfterSeconds: 3600,
    checkpointEveryMs: 0,
    // not sliced unless a test asks (docs/bulk-export.md, "Slices")
    sliceRows: 1_000_000,
    maxSlices: 1,
    maxAttempts: 5,
    ...settings,
  };
  const service = new BulkExportService(jobs, files, secured, audit, exportSettings);
  const runner = new ExportRunner(secured, jobs, files, exportSettings);
  const views = new ViewRunService(secured);
  const viewExports = new ViewExportKickOff(jobs, audit, views, exportSettings);
  const logger = createLogger('export-test', 'error');
  const newWorker = (options: Partial<ExportWorkerOptions> = {}) =>
    new ExportWorker(
      jobs,
      runner,
      files,
      exportSettings,
      { concurrency: 1, idlePollMs: 20, sweepEveryMs: 60_000, ...options },
      logger,
      { 'view-export': new ViewExportJobRunner(views, jobs, files, exportSettings) },
    );

  const as = <T>(claims: AccessClaims, work: () => Promise<T>) =>
    runWithAccess(accessContextFrom({ sub: 'export-test', client_id: 'export-test-client', ...claims }), undefined, work);

  const kickOff = (
    claims: AccessClaims,
    level: ExportLevel,
    params: [string, string][] = [],
    options: { groupId?: string; lenient?: boolean } = {},
  ): Promise<string> =>
    as(claims, async () => {
      const url = await service.kickOff({
        level,
        groupId: options.groupId,
        params,
        lenient: options.lenient ?? false,
        requestUrl: `${BASE}/$export`,
      });
      return url.split('/').pop() as string;
    });

  /** The completed job's manifest (a worker must be running); a failed job throws its reason. */
  const completedManifest = async (claims: AccessClaims, id: string, timeoutMs = 30_000): Promise<ExportManifest> => {
    const job = await waitFor(
      () => jobs.find(id),
      (found) => found?.status === 'completed' || found?.status === 'failed',
      { timeoutMs, intervalMs: 50, what: `export ${id} to finish` },
    );
    if (!job) throw new Error(`export ${id} is gone`);
    if (job.status === 'failed') throw new Error(`export failed: ${job.failureReason}`);
    await sql`UPDATE export_job SET last_polled_at = NULL WHERE id = ${id}`;
    const status = await as(claims, () => service.status(id));
    if (status.state !== 'completed') throw new Error(`export not completed: ${status.state}`);
    return status.manifest;
  };

  /** Waits for the job to finish (a worker must be running) and reads its files. */
  const finished = async (claims: AccessClaims, id: string, timeoutMs = 30_000): Promise<ExportedFiles> =>
    readExport(directory, id, await completedManifest(claims, id, timeoutMs));

  return {
    /** The scratch database (for another process, e.g. the exporter app, to work on). */
    databaseUrl: database.config.url,
    sql,
    store,
    secured,
    jobs,
    files,
    directory,
    service,
    runner,
    settings: exportSettings,
    newWorker,
    as,
    kickOff,
    finished,
    completedManifest,
    views,
    viewExports,
    close: async () => {
      await log.flush();
      await sql.end({ timeout: 5 });
      await database.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export type ExportContext = Awaited<ReturnType<typeof openExportContext>>;

/**
 * Many rows, cheaply: `patients` Patients (named by `family`) with an Observation each, written through the store,
 * then `copies` SQL copies of every row under new ids (an export reads only the resource table). Answers the
 * `Type/id` of every row the store then holds.
 */
export async function seedCopies(
  context: ExportContext,
  options: { patients: number; copies: number; family?: (n: number) => string },
): Promise<string[]> {
  const family = options.family ?? ((n: number) => `P${n}`);
  for (let n = 0; n < options.patients; n++) {
    const patient = await context.store.create<Patient>({ resourceType: 'Patient', name: [{ family: family(n) }] });
    await context.store.create<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'seeded' },
      subject: { reference: `Patient/${patient.id}` },
    });
  }
  await context.sql`
    INSERT INTO resource (resource_type, id, resource_key, version_id, last_updated, deleted, source_system,
                          source_updated, compartments, content)
    SELECT resource_type, id || '-c' || g, nextval('resource_key_seq'), version_id, last_updated, deleted,
           source_system, source_updated, compartments, jsonb_set(content, '{id}', to_jsonb(id || '-c' || g))
    FROM resource, generate_series(1, ${options.copies}::int) AS g`;
  const stored: string[] = [];
  for await (const page of context.store.scan({})) stored.push(...page.map((row) => `${row.resourceType}/${row.id}`));
  return stored;
}

/** Reads the files a manifest lists from the export directory. */
export function readExport(directory: string, id: string, manifest: ExportManifest): ExportedFiles {
  const lines = (url: string) =>
    readFileSync(join(directory, id, url.split('/').pop() as string), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Resource);
  const output = new Map<string, Resource[]>();
  for (const entry of manifest.output) output.set(entry.type, [...(output.get(entry.type) ?? []), ...lines(entry.url)]);
  const deleted = (manifest.deleted ?? []).flatMap((entry) =>
    lines(entry.url).flatMap((bundle) => ((bundle as Bundle).entry ?? []).map((e) => e.request?.url ?? '')),
  );
  const errors = manifest.error.flatMap((entry) =>
    lines(entry.url).flatMap((outcome) =>
      ((outcome as { issue?: { diagnostics?: string }[] }).issue ?? []).map((issue) => issue.diagnostics ?? ''),
    ),
  );
  return { manifest, output, deleted, errors };
}
