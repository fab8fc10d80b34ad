import type { Readable } from 'node:stream';
import {
  type ExportLevel,
  FhirError,
  forbidden,
  notFound,
  operationOutcome,
  parseExportKickOff,
  tooManyRequests,
} from '@continuum/fhir';
import { type AccessContext, type AuditRecorder, can } from '@continuum/security';
import type { ExportFile, ExportJob, ExportJobs, ResourceStore } from '@continuum/store';
import type { OperationOutcome } from 'fhir/r4';
import { createJob, statusPath } from './export-job';
import type { ExportFileStore } from './export-file.store';
import type { ExportSettings } from './export-settings';

export interface KickOff {
  level: ExportLevel;
  groupId?: string;
  params: [string, string][];
  /** `Prefer: handling=lenient`. */
  lenient: boolean;
  /** The kick-off URL as the client sent it (the manifest's `request`). */
  requestUrl: string;
}

/** The Bulk Data completion manifest. */
export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: ManifestEntry[];
  deleted?: ManifestEntry[];
  error: ManifestEntry[];
  /** For a commissioning extract job (`$extract`): its governed manifest, also listed as a file. */
  extract?: unknown;
}

export interface ManifestEntry {
  type: string;
  url: string;
  count: number;
}

/** What a status poll answers. */
export type ExportStatus =
  | { state: 'in-progress'; progress: string; retryAfterSeconds: number }
  | { state: 'completed'; manifest: ExportManifest; expires: Date }
  | { state: 'failed'; outcome: OperationOutcome };

/** A file to send: the whole of it or one byte range. */
export interface ExportDownload {
  size: number;
  range?: { start: number; end: number };
  body: Readable;
}

/**
 * The Bulk Data edge's work: kick-off (validates, then inserts one job row: fast whatever the store's size),
 * status (429 when polled faster than Retry-After allows), file downloads with byte ranges, and cancel. Only the
 * kick-off client may poll, download or cancel; kick-off, polls, downloads and cancels are audited.
 */
export class BulkExportService {
  constructor(
    private readonly jobs: ExportJobs,
    private readonly files: ExportFileStore,
    private readonly store: ResourceStore,
    private readonly audit: AuditRecorder,
    private readonly settings: ExportSettings,
  ) {}

  /** Answers the status URL (Content-Location of the 202). */
  kickOff(request: KickOff): Promise<string> {
    return this.audit.audited('operation', async (target, access) => {
      const { parameters, ignored } = parseExportKickOff(request.level, request.params, {
        lenient: request.lenient,
        groupId: request.groupId,
        baseUrl: this.settings.baseUrl,
      });
      for (const type of parameters.types ?? [])
        if (!can(access, type, 's')) throw forbidden(`No search scope on ${type} for an export`);
      // the Group must exist and be readable now; its members are read by the job
      if (request.groupId) await this.store.read('Group', request.groupId);
      return createJob(this.jobs, this.settings, access, target, {
        kind: 'bulk-export',
        requestUrl: request.requestUrl,
        parameters,
        issues: ignored,
      });
    });
  }

  /** A poll of the status URL (audited like every request that reaches the record's control data). */
  status(id: string): Promise<ExportStatus> {
    return this.audit.audited('operation', async (target, access) => {
      target.resources.push(statusPath(id));
      const job = await this.owned(id, access);
      if ((await this.jobs.notePoll(id, (this.settings.retryAfterSeconds * 1000) / 2)) === 'too-soon')
        throw tooManyRequests(
          `Polled sooner than Retry-After (${this.settings.retryAfterSeconds}s) allows`,
          this.settings.retryAfterSeconds,
        );
      if (job.status === 'failed')
        return {
          state: 'failed',
          outcome: operationOutcome([{ code: 'exception', diagnostics: job.failureReason ?? 'The export failed' }]),
        };
      if (job.status !== 'completed')
        return {
          state: 'in-progress',
          progress:
            job.status === 'accepted'
              ? 'accepted, waiting for a worker'
              : `${job.exported} ${job.kind === 'bulk-export' ? 'resources' : 'rows'} exported`,
          retryAfterSeconds: this.settings.retryAfterSeconds,
        };
      const manifest = this.manifest(job, await this.jobs.files(id));
      if (job.kind === 'extract') manifest.extract = await this.extractManifest(job.id, manifest.output);
      return { state: 'completed', manifest, expires: job.expiresAt };
    });
  }

  /** One file of a completed job, or a byte range of it (`Range: bytes=start-end`). */
  download(id: string, name: string, range: string | undefined): Promise<ExportDownload> {
    return this.audit.audited('operation', async (target, access) => {
      target.resources.push(`${statusPath(id)}/${name}`);
      const job = await this.owned(id, access);
      const file = (await this.jobs.files(id)).find((each) => each.name === name);
      if (job.status !== 'completed' || !file) throw notFound(`No file '${name}' in export ${id}`);
      const size = file.bytes;
      const wanted = byteRange(range, size);
      return {
        size,
        range: wanted,
        body: this.files.read(id, name, wanted ?? (size ? { start: 0, end: size - 1 } : undefined)),
      };
    });
  }

  /** DELETE on the status URL: the job stops (its worker notices at its next page) and its files go. */
  cancel(id: string): Promise<void> {
    return this.audit.audited('operation', async (target, access) => {
      target.resources.push(statusPath(id));
      await this.owned(id, access);
      await this.jobs.remove(id);
      await this.files.remove(id);
    });
  }

  private async owned(id: string, access: AccessContext): Promise<ExportJob> {
    const job = await this.jobs.find(id);
    // a slice is the export's inner workings, not an export a client may address
    if (!job || job.parentId) throw notFound(`No export job ${id} (finished jobs expire; cancelled ones are gone)`);
    if (job.clientId !== access.clientId) throw forbidden('Only the client that started an export may use it');
    return job;
  }

  private async extractManifest(id: string, output: ManifestEntry[]): Promise<unknown> {
    const name = output.find((entry) => entry.type === 'manifest')?.url.split('/').pop();
    if (!name) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of this.files.read(id, name)) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  private manifest(job: ExportJob, files: ExportFile[]): ExportManifest {
    // an extract or a view export lists every file: one of no rows still says so (a CSV's header), and an
    // extract's manifest is always there
    const entries = (kind: ExportFile['kind']) =>
      files
        .filter((file) => file.kind === kind && (file.count > 0 || job.kind !== 'bulk-export'))
        .map((file) => ({
          type: file.resourceType,
          url: `${this.settings.baseUrl}/${statusPath(job.id).replace('$export-status', '$export-file')}/${file.name}`,
          count: file.count,
        }));
    const since = Boolean((job.parameters as { since?: string }).since);
    return {
      transactionTime: job.transactionTime.toISOString(),
      request: job.requestUrl,
      requiresAccessToken: true,
      output: entries('output'),
      ...(since ? { deleted: entries('deleted') } : {}),
      error: entries('error'),
    };
  }
}


/** A single `bytes=` range (RFC 9110), clamped to the file; a range that cannot be satisfied is a 416. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === ''))
    throw FhirError.of(416, 'not-supported', `Unsupported Range '${header}': give one bytes=start-end range`);
  const start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] === '' || match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) throw FhirError.of(416, 'not-supported', `Range '${header}' is past the file's ${size} bytes`);
  return { start, end };
}
