import { badRequest, notFound, type SearchFilter, type SearchRequest } from '@continuum/fhir';
import { type AuditQuery, AuditEventRepository, type SearchResult } from '@continuum/store';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';

/**
 * Auditors' view of the audit trail: read by id and search by `patient` (or `entity=Patient/<id>`), `date`
 * (ge/gt/le/lt/eq/sa/eb) and `subtype`, newest first; repeated parameters are AND-ed, comma lists OR-ed. Any other
 * parameter, modifier or result parameter is a 400, never silently ignored: an auditor must not get a wider trail
 * than asked for. The trail is its own table (append-only, chained), not a FHIR resource partition.
 */
export class AuditEventSearch {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly repository = new AuditEventRepository(),
  ) {}

  async read(id: string): Promise<AuditEvent> {
    const event = await this.repository.read(this.sql, id);
    if (!event) throw notFound(`AuditEvent/${id} not found`);
    return event;
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    refuseUnsupported(request);
    const query: AuditQuery = { limit: request.count + 1, beforeSeq: request.cursor };
    if (request.cursor && !/^\d+$/.test(request.cursor)) throw badRequest('Invalid AuditEvent page cursor');
    request.filters.forEach((filter) => narrow(query, filter));
    const rows = await this.repository.search(this.sql, query);
    const page = rows.slice(0, request.count);
    return {
      matches: page.map((row) => ({
        resourceType: 'AuditEvent',
        id: row.content.id ?? '',
        versionId: 1,
        lastUpdated: new Date(row.content.recorded),
        content: row.content,
      })),
      included: [],
      next: rows.length > request.count ? page[page.length - 1].seq : undefined,
    };
  }
}

const SUPPORTED = 'AuditEvent search supports patient, entity (Patient references), date and subtype only';

/** Parameters the parser left out (unknown ones: warnings), and result parameters the trail does not implement. */
function refuseUnsupported(request: SearchRequest): void {
  const ignored = (request.outcome?.issue ?? []).flatMap((issue) => issue.expression ?? []);
  if (ignored.length) throw badRequest(`${SUPPORTED}: '${ignored.join("', '")}' is not`, ignored);
  const results: [string, boolean][] = [
    ['_sort', request.sort.length > 0],
    ['_include', request.includes.length > 0],
    ['_revinclude', request.revincludes.length > 0],
    ['_total', request.total !== 'none'],
    ['_summary', request.summary !== undefined],
    ['_elements', request.elements !== undefined],
  ];
  const used = results.filter(([, present]) => present).map(([name]) => name);
  if (used.length)
    throw badRequest(`AuditEvent search does not support ${used.join(', ')} (newest first, paged)`, used);
}

function narrow(query: AuditQuery, filter: SearchFilter): void {
  if (filter.kind !== 'param' || filter.modifier) throw badRequest(SUPPORTED);
  switch (filter.code) {
    case 'patient':
    case 'entity': {
      const ids = filter.values.map((value) => {
        const patient = value.type === 'reference' && value.resourceType === 'Patient' ? value.id : undefined;
        if (!patient) throw badRequest(`AuditEvent ${filter.code} takes a Patient reference (Patient/<id>)`);
        return patient;
      });
      query.patientIds = [...(query.patientIds ?? []), ids];
      return;
    }
    case 'subtype': {
      const codes = filter.values.map((value) => {
        if (value.type !== 'token' || !value.code)
          throw badRequest('AuditEvent subtype takes interaction codes');
        return value.code;
      });
      query.subtypes = query.subtypes ? query.subtypes.filter((code) => codes.includes(code)) : codes;
      return;
    }
    case 'date':
      if (filter.values.length !== 1) throw badRequest('AuditEvent date takes one value per parameter');
      for (const value of filter.values) {
        if (value.type !== 'date' || !DATE_PREFIXES.has(value.prefix))
          throw badRequest('AuditEvent date supports the prefixes eq, ge, gt, le, lt, sa and eb');
        // the value is the interval [start, end); `from` is inclusive, `to` exclusive
        const from = { ge: value.start, eq: value.start, gt: value.end, sa: value.end }[
          value.prefix as string
        ];
        const to = { le: value.end, eq: value.end, lt: value.start, eb: value.start }[value.prefix as string];
        if (from !== undefined) query.from = Math.max(query.from ?? -Infinity, from);
        if (to !== undefined) query.to = Math.min(query.to ?? Infinity, to);
      }
      return;
    default:
      throw badRequest(`${SUPPORTED}: '${filter.code}' is not`, [filter.code]);
  }
}

const DATE_PREFIXES = new Set(['eq', 'ge', 'gt', 'le', 'lt', 'sa', 'eb']);
