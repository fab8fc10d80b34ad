import {
  badRequest,
  forbidden,
  type ViewOutputFormat,
  ViewEvaluator,
  viewOutputFormat,
  VIEW_OUTPUT_FORMATS,
} from '@continuum/fhir';
import { type AuditRecorder, can } from '@continuum/security';
import type { ExportFile, ExportJob, ExportJobs } from '@continuum/store';
import type { ParametersParameter } from 'fhir/r4';
import { asKickOffCaller, createJob } from './export-job';
import type { ExportFileStore } from './export-file.store';
import { type RunOutcome, settleWriters } from './export.runner';
import { type ExportSettings, leaseMsOf } from './export-settings';
import { encodeViewRows } from './view-encoding';
import type { JobRunner } from './export.worker';
import { stringValue, type ViewRunService } from './view-run.service';

/** `$viewdefinition-export`'s parameters (SQL on FHIR v2), as the CapabilityStatement lists them. */
export const VIEW_EXPORT_PARAMETERS = [
  'view',
  'clientTrackingId',
  '_format',
  'header',
  'patient',
  'group',
  '_since',
] as const;
const VIEW_PARTS = new Set(['name', 'viewReference', 'viewResource']);
/** A view's output name becomes its file's name: kept to characters every file system and URL takes as they are. */
const OUTPUT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const EXTENSIONS: Record<ViewOutputFormat, string> = { csv: 'csv', ndjson: 'ndjson', json: 'json', parquet: 'parquet' };

/** One view of the job: its output name, the ViewDefinition as it stood at kick-off, and the type it reads. */
interface ExportedView {
  name: string;
  view: unknown;
  resourceType: string;
}

/** What a `view-export` job stores: everything its runner needs, fixed at kick-off. */
export interface ViewExportParameters {
  views: ExportedView[];
  format: ViewOutputFormat;
  header: boolean;
  patients: string[];
  groups: string[];
  since?: string;
  clientTrackingId?: string;
}

/**
 * SQL on FHIR v2's asynchronous `$viewdefinition-export` (docs/views.md): POST with a Parameters body naming one or more
 * views (`view` with parts `name`, `viewReference` or `viewResource`), `_format` (csv by default, ndjson, json),
 * `header`, `patient`, `group`, `_since`, `clientTrackingId`. Every view is resolved and planned now, so an unknown
 * or invalid one is refused at kick-off (404, 422) rather than failing later; the definitions as they stand now go
 * in the job, which the exporter's workers run like a Bulk Data export: polled at `$export-status`, one file per
 * view, downloads for the kick-off client only.
 */
export class ViewExportKickOff {
  constructor(
    private readonly jobs: ExportJobs,
    private readonly audit: AuditRecorder,
    private readonly views: ViewRunService,
    private readonly settings: ExportSettings,
  ) {}

  /** Answers the status URL (Content-Location of the 202). `storedId`: `ViewDefinition/{id}/$viewdefinition-export`. */
  kickOff(request: { parameters: ParametersParameter[]; requestUrl: string; storedId?: string }): Promise<string> {
    return this.audit.audited('operation', async (target, access) => {
      const parameters = await this.parametersOf(request.parameters, request.storedId);
      for (const { name, resourceType } of parameters.views)
        if (!can(access, resourceType, 's')) throw forbidden(`No search scope on ${resourceType} for view '${name}'`);
      // the references must be well formed and a named Group readable now; the job reads the members again
      await this.views.compartment(parameters.patients, parameters.groups);
      return createJob(this.jobs, this.settings, access, target, {
        kind: 'view-export',
        requestUrl: request.requestUrl,
        parameters,
      });
    });
  }

  private async parametersOf(given: ParametersParameter[], storedId?: string): Promise<ViewExportParameters> {
    const known = new Set<string>(VIEW_EXPORT_PARAMETERS);
    for (const parameter of given)
      if (!known.has(parameter.name))
        throw badRequest(`Unknown $viewdefinition-export parameter '${parameter.name}'`, [parameter.name]);
    const single = (name: string) => {
      const found = given.filter((parameter) => parameter.name === name);
      if (found.length > 1) throw badRequest(`'${name}' is given more than once`, [name]);
      return stringValue(found[0]);
    };
    const all = (name: string) =>
      given.filter((parameter) => parameter.name === name).map((parameter) => stringValue(parameter) ?? '');

    const formatName = single('_format');
    const format = formatName === undefined ? 'csv' : viewOutputFormat(formatName);
    if (!format) throw badRequest(`_format '${formatName}' is not one of ${VIEW_OUTPUT_FORMATS}`, ['_format']);
    const header = single('header');
    if (header !== undefined && !['true', 'false'].includes(header))
      throw badRequest('header must be true or false', ['header']);
    const since = single('_since');
    const clientTrackingId = single('clientTrackingId');
    if (since !== undefined && Number.isNaN(Date.parse(since)))
      throw badRequest('_since must be an instant', ['_since']);

    const views = await this.viewsOf(
      given.filter((parameter) => parameter.name === 'view'),
      storedId,
    );
    return {
      views,
      format,
      header: header !== 'false',
      patients: all('patient'),
      groups: all('group'),
      ...(since !== undefined ? { since: new Date(since).toISOString() } : {}),
      ...(clientTrackingId !== undefined ? { clientTrackingId } : {}),
    };
  }

  /** Each `view` resolved to its definition (stored ones read now) and planned; names unique. */
  private async viewsOf(given: ParametersParameter[], storedId?: string): Promise<ExportedView[]> {
    const wanted: { name?: string; view: Promise<unknown> }[] = [];
    if (storedId !== undefined) wanted.push({ view: this.views.storedView(`ViewDefinition/${storedId}`) });
    for (const [index, parameter] of given.entries()) {
      const parts = parameter.part ?? [];
      const label = `view[${index}]`;
      for (const part of parts)
        if (!VIEW_PARTS.has(part.name)) throw badRequest(`${label} has an unknown part '${part.name}'`, [label]);
      const inline = parts.find((part) => part.name === 'viewResource');
      const reference = stringValue(parts.find((part) => part.name === 'viewReference'));
      if (Boolean(inline) === Boolean(reference))
        throw badRequest(`${label} needs exactly one of viewReference and viewResource`, [label]);
      if (inline && !inline.resource)
        throw badRequest(`${label}.viewResource must carry the ViewDefinition as its resource`, [label]);
      wanted.push({
        name: stringValue(parts.find((part) => part.name === 'name')),
        view: inline ? Promise.resolve(inline.resource) : this.views.storedView(reference as string),
      });
    }
    if (!wanted.length) throw badRequest('$viewdefinition-export needs at least one view', ['view']);

    const names = new Set<string>();
    const views: ExportedView[] = [];
    for (const [index, each] of wanted.entries()) {
      const view = await each.view;
      // plans (and checks) the view: an invalid one is a 422 now, not a failed job
      const { resourceType } = new ViewEvaluator(view);
      const name = each.name ?? (view as { name?: string }).name ?? `view_${index + 1}`;
      if (!OUTPUT_NAME.test(name))
        throw badRequest(
          `view name '${name}' must start with a letter and hold only letters, digits, '_' and '-' (64 at most)`,
          ['view.name'],
        );
      if (names.has(name)) throw badRequest(`Two views are named '${name}': give each a distinct name`, ['view.name']);
      names.add(name);
      views.push({ name, view, resourceType });
    }
    return views;
  }
}

/**
 * Runs a `view-export` job in an exporter worker: inside the kick-off caller's access scope (so the secured door
 * applies its scopes, consent, the national data opt-out for secondary use and restricted people, and audits every
 * page of rows), each view's rows as of the job's transactionTime are streamed into one file (memory: a page). A view
 * finished is checkpointed with its file; a worker lost mid-way leaves the finished views as they are, and its
 * successor writes the unfinished one again from its start (the same snapshot gives the same bytes).
 */
export class ViewExportJobRunner implements JobRunner {
  constructor(
    private readonly views: ViewRunService,
    private readonly jobs: ExportJobs,
    private readonly files: ExportFileStore,
    private readonly settings: ExportSettings,
  ) {}

  async run(job: ExportJob, workerId: string, lost: () => boolean): Promise<RunOutcome> {
    const parameters = job.parameters as ViewExportParameters;
    return asKickOffCaller(job, 'POST', async () => {
      if (!(await settleWriters(this.jobs, job.transactionTime, lost))) return 'lost';
      const compartment = await this.views.compartment(parameters.patients, parameters.groups);
      const selection = {
        since: parameters.since ? new Date(parameters.since) : undefined,
        until: job.transactionTime,
        compartment,
      };
      const listed = (await this.jobs.files(job.id)).filter((file) => file.complete);
      let exported = listed.reduce((sum, file) => sum + file.count, 0);
      for (const { name, view } of parameters.views) {
        const fileName = `${name}.${EXTENSIONS[parameters.format]}`;
        if (listed.some((file) => file.name === fileName)) continue; // written before this worker took the job
        const file = await this.write(job.id, fileName, view, parameters, selection, lost);
        if (!file) return 'lost';
        listed.push({ ...file, resourceType: name });
        exported += file.count;
        const saved = await this.jobs.checkpoint(job.id, workerId, leaseMsOf(this.settings), {
          resumeAfter: null,
          exported,
          files: listed,
        });
        if (!saved) return 'lost';
      }
      const expiresAt = new Date(Date.now() + this.settings.expiresAfterSeconds * 1000);
      return (await this.jobs.complete(job.id, workerId, expiresAt)) ? 'completed' : 'lost';
    });
  }

  /** One view's rows into one file; undefined when the job was lost on the way. */
  private async write(
    jobId: string,
    fileName: string,
    view: unknown,
    parameters: ViewExportParameters,
    selection: { since?: Date; until: Date; compartment?: string[] },
    lost: () => boolean,
  ): Promise<ExportFile | undefined> {
    const evaluator = new ViewEvaluator(view);
    const sink = await this.files.append(jobId, fileName, 0);
    let rows = 0;
    let bytes = 0;
    let stopped = false;
    const pages = this.views.rowPages(view, evaluator, selection);
    const counted = (async function* () {
      for await (const page of pages) {
        if (lost()) {
          stopped = true;
          return;
        }
        rows += page.length;
        yield page;
      }
    })();
    try {
      for await (const chunk of encodeViewRows(parameters.format, evaluator.columns, parameters.header, counted)) {
        if (!chunk.length) continue;
        await sink.write(chunk);
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      }
    } finally {
      // leaving early closes the rows, which gives back their connection
      await pages.return(undefined).catch(() => undefined);
      await sink.close();
    }
    if (stopped) return undefined;
    return { name: fileName, kind: 'output', resourceType: '', part: 0, count: rows, bytes, complete: true };
  }
}
