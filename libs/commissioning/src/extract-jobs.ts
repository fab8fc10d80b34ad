import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AccessSnapshot,
  createJob,
  type ExportFileStore,
  type ExportSettings,
  type JobRunner,
  leaseMsOf,
  type RunOutcome,
} from '@continuum/export';
import { badRequest, FhirError, forbidden, operationOutcome } from '@continuum/fhir';
import { GovernanceError, type KeyRingDocument } from '@continuum/governance';
import { type AuditRecorder, can, runWithAccess } from '@continuum/security';
import type { ExportFile, ExportJob, ExportJobs } from '@continuum/store';
import type { CommissioningExtracts } from './commissioning-extract.service';
import { EXTRACT_READ_TYPES, extractAccessFor } from './extract-access';
import { type ExtractOrder, planExtract } from './extract-order';

/** What `$extract` is given: the order's parameters as the client sent them, and its URL for the manifest. */
export interface ExtractKickOffRequest {
  readonly order: Omit<ExtractOrder, 'requester'>;
  readonly requestUrl: string;
}

/**
 * `$extract`'s kick-off (the API): checks the order as the CLI does (every gap named, 400), that the caller is a
 * system client allowed to search every type an extract reads, then inserts one job of kind `extract` for the
 * exporter's workers. Polls, downloads and cancel are the export jobs' own (`$export-status`): only this client.
 */
export class ExtractKickOff {
  constructor(
    private readonly jobs: ExportJobs,
    private readonly audit: AuditRecorder,
    private readonly settings: ExportSettings,
  ) {}

  /** Answers the status URL (Content-Location of the 202). */
  kickOff(request: ExtractKickOffRequest): Promise<string> {
    return this.audit.audited('operation', async (target, access) => {
      if (access.context !== 'system')
        throw forbidden('A commissioning extract is for a system client (a backend services token)');
      const missing = EXTRACT_READ_TYPES.filter((type) => !can(access, type, 's'));
      if (missing.length) throw forbidden(`No search scope on ${missing.join(', ')} for an extract`);
      const order: ExtractOrder = { ...request.order, requester: access.subject };
      refusedUnlessPlanned(order, (problems) =>
        new FhirError(400, operationOutcome(problems.map((diagnostics) => ({ code: 'required', diagnostics })))),
      );
      return createJob(this.jobs, this.settings, access, target, {
        kind: 'extract',
        requestUrl: request.requestUrl,
        parameters: order,
      });
    });
  }
}

/**
 * Runs an `extract` job in an exporter worker: the same CommissioningExtracts the CLI runs, as the kick-off's
 * requester and client under the extract's access (extractAccessFor), at the kick-off's transactionTime; its files
 * and manifest then go to the export file store and are listed on the job, which completes. The pipeline has no
 * checkpoint: a worker lost mid-way leaves nothing listed, and the next claim runs it again from the start (the
 * same snapshot gives the same bytes).
 */
export class ExtractJobRunner implements JobRunner {
  constructor(
    private readonly extracts: CommissioningExtracts,
    private readonly jobs: ExportJobs,
    private readonly files: ExportFileStore,
    private readonly settings: ExportSettings,
    /** The key ring for pseudonymised extracts (a file outside the database); none: they fail with the reason. */
    private readonly keyRing?: KeyRingDocument,
  ) {}

  async run(job: ExportJob, workerId: string, lost: () => boolean): Promise<RunOutcome> {
    const plan = refusedUnlessPlanned(job.parameters as ExtractOrder, (problems) =>
      badRequest(`the extract request is refused: ${problems.join('; ')}`),
    );
    if (plan.request.identifiability === 'pseudonymised' && !this.keyRing)
      throw badRequest('a pseudonymised extract needs the key ring, and this exporter has none configured');
    const snapshot = job.access as AccessSnapshot;
    const directory = await mkdtemp(join(tmpdir(), 'continuum-extract-'));
    try {
      const request = { method: 'POST', url: job.requestUrl, correlationId: job.id, audited: 0 };
      const { manifest } = await runWithAccess(extractAccessFor(snapshot.subject, snapshot.clientId), request, () =>
        this.extracts
          .run({ ...plan, outDirectory: directory, keyRing: this.keyRing, transactionTime: job.transactionTime })
          .catch((error: unknown) => {
            // a refusal by the pipeline is final (the job fails with it), not a fault to retry
            if (error instanceof GovernanceError) throw badRequest(error.message);
            throw error;
          }),
      );
      if (lost()) return 'lost';
      const manifestName = `${plan.pack}-${plan.period}.manifest.json`;
      const listed: ExportFile[] = [];
      for (const file of [...manifest.files, { name: manifestName, rows: 1 }]) {
        const bytes = await readFile(join(directory, file.name));
        const sink = await this.files.append(job.id, file.name, 0);
        await sink.write(bytes.toString('utf8'));
        await sink.close();
        listed.push({
          name: file.name,
          kind: 'output',
          resourceType: file.name === manifestName ? 'manifest' : 'csv',
          part: 0,
          count: file.rows,
          bytes: bytes.length,
          complete: true,
        });
      }
      const rows = manifest.files.reduce((sum, file) => sum + file.rows, 0);
      const lease = leaseMsOf(this.settings);
      if (!(await this.jobs.checkpoint(job.id, workerId, lease, { resumeAfter: null, exported: rows, files: listed })))
        return 'lost';
      const expiresAt = new Date(Date.now() + this.settings.expiresAfterSeconds * 1000);
      return (await this.jobs.complete(job.id, workerId, expiresAt)) ? 'completed' : 'lost';
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
}

/** The order's plan, or the error `refuse` makes of every problem with it. */
function refusedUnlessPlanned(order: ExtractOrder, refuse: (problems: readonly string[]) => Error) {
  try {
    return planExtract(order);
  } catch (error) {
    if (error instanceof GovernanceError) throw refuse(error.problems);
    throw error;
  }
}
