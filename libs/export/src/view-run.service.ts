import {
  badRequest,
  canonicalReference,
  notFound,
  parseReference,
  pickViewVersion,
  VIEW_DEFINITION_CODE,
  CANONICAL_URL_SYSTEM,
  ViewEvaluator,
  viewDefinitionOf,
  viewOutputFormat,
  VIEW_OUTPUT_FORMATS,
  type ViewDefinition,
  type ViewOutputFormat,
  type ViewRow,
  parseSearchRequest,
} from '@continuum/fhir';
import { ResourceStore, viewCompilesToSql, type ViewRowsPage } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import { encodeViewRows, type ViewChunk } from './view-encoding';
import type { Basic, Group, Parameters, ParametersParameter, Resource } from 'fhir/r4';

/** Rows (or resources) read from the store per page: memory stays flat whatever the result's size. */
const SCAN_PAGE = 500;
/** The operation's parameters, as the CapabilityStatement lists them. */
export const RUN_PARAMETERS = [
  'viewReference',
  'viewResource',
  'resource',
  '_format',
  'header',
  'patient',
  'group',
  '_since',
  '_limit',
] as const;
const KNOWN_PARAMETERS = new Set<string>([...RUN_PARAMETERS, '_pretty']);

/** A `$run` request's parameters, from the query string (GET) or a Parameters body (POST). */
export interface ViewRunInput {
  /** `ViewDefinition/{id}/$run`. */
  id?: string;
  parameters: ParametersParameter[];
}

/** A view ready to stream: its format, and its chunks (text, or Parquet's bytes) in order. */
export interface ViewRun {
  format: ViewOutputFormat;
  chunks: AsyncIterable<ViewChunk>;
}

/**
 * SQL on FHIR's `ViewDefinition/$run`: the view (stored, by id or canonical `url|version`, or inline as
 * `viewResource`) run over the store behind the secured door (scopes, the patient compartment, consent and the
 * national data opt-out for secondary-use purposes, restricted people's locating details, audit of every page of
 * rows) — compiled to SQL when the compiler handles it, else in memory over the secured scan — or in memory over
 * inline `resource`s, written as JSON, NDJSON, CSV or Parquet as the rows come, in resource_key order (the same
 * view at the same snapshot gives the same bytes). The view is planned, and its first page read, before anything is sent, so an invalid view is a 422.
 */
@Injectable()
export class ViewRunService {
  constructor(private readonly store: ResourceStore) {}

  async run(input: ViewRunInput): Promise<ViewRun> {
    const params = input.parameters;
    for (const parameter of params)
      if (!KNOWN_PARAMETERS.has(parameter.name))
        throw badRequest(`Unknown $run parameter '${parameter.name}'`);
    const value = (name: string) => stringValue(params.find((parameter) => parameter.name === name));
    const format = viewOutputFormat(value('_format'));
    if (!format) throw badRequest(`_format '${value('_format')}' is not one of ${VIEW_OUTPUT_FORMATS}`);
    const header = value('header');
    if (header !== undefined && !['true', 'false'].includes(header))
      throw badRequest(`header must be true or false`);
    const limit = value('_limit') === undefined ? undefined : Number(value('_limit'));
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      throw badRequest(`_limit must be a positive integer`);
    const since = value('_since') === undefined ? undefined : new Date(value('_since') as string);
    if (since && Number.isNaN(since.getTime())) throw badRequest(`_since must be an instant`);

    const view = await this.view(input.id, params);
    const evaluator = new ViewEvaluator(view); // plans (and checks) the view: an invalid one is a 422 here
    const inline = params.flatMap((parameter) =>
      parameter.name === 'resource' && parameter.resource ? [parameter.resource as Resource] : [],
    );
    const compartment = await this.compartment(listed(value('patient')), listed(value('group')));
    const rows = limited(this.rowPages(view, evaluator, { since, compartment }, inline), limit);
    const first = await rows.next(); // a view that fails on the first page is still a 422, not a cut stream
    return {
      format,
      chunks: encodeViewRows(
        format,
        evaluator.columns,
        header !== 'false',
        (async function* () {
          if (!first.done) yield first.value;
          yield* rows;
        })(),
      ),
    };
  }

  /**
   * The view's rows, page by page: over inline resources in memory; over the store compiled to SQL behind the
   * secured door (`ResourceStore.runView`: the same rows, computed where the data is); in memory over the secured
   * scan for a view the compiler cannot handle. Memory holds one page whatever the result's size.
   */
  rowPages(
    view: unknown,
    evaluator: ViewEvaluator,
    selection: ViewSelection,
    inline: Resource[] = [],
  ): AsyncGenerator<ViewRow[]> {
    if (inline.length)
      return evaluatedPages(
        evaluator,
        (async function* () {
          yield inline;
        })(),
      );
    const { since, until } = selection;
    const compartment = selection.compartment ? { patientIds: selection.compartment } : undefined;
    if (viewCompilesToSql(view))
      return compiledPages(this.store.runView(view, { since, until, compartment, pageSize: SCAN_PAGE }));
    return evaluatedPages(evaluator, this.storePages(evaluator.resourceType, since, until, compartment));
  }

  private async *storePages(
    resourceType: string,
    since: Date | undefined,
    until: Date | undefined,
    compartment: { patientIds: string[] } | undefined,
  ): AsyncGenerator<Resource[]> {
    const scan = this.store.scan({
      types: { include: [resourceType] },
      since,
      until,
      compartment,
      pageSize: SCAN_PAGE,
    });
    for await (const page of scan)
      yield page.flatMap((row) => (row.content ? [row.content as Resource] : []));
  }

  /** The view to run: inline, by id, or by canonical url (and version). */
  private view(id: string | undefined, params: ParametersParameter[]): Promise<unknown> {
    const inline = params.find((parameter) => parameter.name === 'viewResource');
    if (inline) {
      if (!inline.resource) throw badRequest('viewResource must carry the ViewDefinition as its resource');
      return Promise.resolve(inline.resource);
    }
    const reference = stringValue(params.find((parameter) => parameter.name === 'viewReference'));
    if (id !== undefined) return this.storedView(`ViewDefinition/${id}`);
    if (!reference)
      throw badRequest('$run needs a view: viewResource, viewReference, or ViewDefinition/{id}/$run');
    return this.storedView(reference);
  }

  /**
   * A stored ViewDefinition by reference: `ViewDefinition/{id}` or `Basic/{id}` (the Basic resource that holds it),
   * or its canonical `url` with an optional `|version` (the latest version when none is named).
   */
  async storedView(reference: string): Promise<unknown> {
    if (reference.startsWith('ViewDefinition/') || reference.startsWith('Basic/')) {
      const storedId = reference.split('/')[1];
      const view = viewDefinitionOf(await this.store.read<Basic>('Basic', storedId));
      if (!view) throw notFound(`Basic/${storedId} holds no ViewDefinition`);
      return view;
    }
    const { url, version } = canonicalReference(reference);
    const found = await this.store.search(
      parseSearchRequest('Basic', [
        ['code', `${VIEW_DEFINITION_CODE.system}|${VIEW_DEFINITION_CODE.code}`],
        ['identifier', `${CANONICAL_URL_SYSTEM}|${url}`],
        ['_count', '100'],
      ]),
    );
    const views = found.matches.flatMap((match) => viewDefinitionOf(match.content as Basic) ?? []);
    const view = pickViewVersion(views as ViewDefinition[], version);
    if (!view) throw notFound(`No stored ViewDefinition ${reference}`);
    return view;
  }

  /** The patients `patient` and `group` references confine the rows to: each one's whole person; none: no limit. */
  async compartment(
    patients: readonly string[] = [],
    groups: readonly string[] = [],
  ): Promise<string[] | undefined> {
    if (!patients.length && !groups.length) return undefined;
    const named = patients.map((patient) => idOf(patient, 'Patient'));
    for (const group of groups) {
      const found = await this.store.read<Group>('Group', idOf(group, 'Group'));
      for (const member of found.member ?? []) {
        const reference = member.entity?.reference ? parseReference(member.entity.reference) : undefined;
        if (reference?.type === 'Patient') named.push(reference.id);
      }
    }
    const persons = await Promise.all(named.map((id) => this.store.personOf(id)));
    return [...new Set(persons.flat())];
  }
}

/** The rows a view gives: changed since, as of a snapshot, within patients' compartments. */
export interface ViewSelection {
  since?: Date;
  until?: Date;
  compartment?: string[];
}

const listed = (value: string | undefined) => (value === undefined ? [] : [value]);

function idOf(reference: string, type: string): string {
  const parsed = reference.includes('/') ? parseReference(reference) : { type, id: reference };
  if (!parsed || parsed.type !== type) throw badRequest(`'${reference}' is not a ${type} reference`);
  return parsed.id;
}

export function stringValue(parameter: ParametersParameter | undefined): string | undefined {
  if (!parameter) return undefined;
  const values = [
    parameter.valueString,
    parameter.valueCode,
    parameter.valueUri,
    parameter.valueCanonical,
    parameter.valueInstant,
    parameter.valueDateTime,
    parameter.valueReference?.reference,
    parameter.valueInteger,
    parameter.valuePositiveInt,
    parameter.valueBoolean,
  ];
  const found = values.find((value) => value !== undefined);
  return found === undefined ? undefined : String(found);
}

async function* evaluatedPages(
  evaluator: ViewEvaluator,
  pages: AsyncIterable<Resource[]>,
): AsyncGenerator<ViewRow[]> {
  for await (const page of pages) {
    const rows = page.flatMap((resource) => evaluator.rows(resource));
    if (rows.length) yield rows;
  }
}

async function* compiledPages(pages: AsyncIterable<ViewRowsPage>): AsyncGenerator<ViewRow[]> {
  for await (const page of pages) if (page.rows.length) yield page.rows;
}

async function* limited(pages: AsyncGenerator<ViewRow[]>, limit?: number): AsyncGenerator<ViewRow[]> {
  let left = limit ?? Infinity;
  for await (const page of pages) {
    yield page.length > left ? page.slice(0, left) : page;
    left -= page.length;
    if (left <= 0) return;
  }
}

/** GET's query string as Parameters (each name once or repeated, as strings). */
export function queryAsParameters(pairs: [string, string][]): ParametersParameter[] {
  return pairs.map(([name, value]) => ({ name, valueString: value }));
}

/** POST's body: a Parameters resource (or nothing). */
export function bodyAsParameters(body: unknown): ParametersParameter[] {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0))
    return [];
  const parameters = body as Parameters;
  if (parameters.resourceType !== 'Parameters') throw badRequest('The body must be a Parameters resource');
  return parameters.parameter ?? [];
}
