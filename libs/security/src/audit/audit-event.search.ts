import { badRequest, notFound, type SearchFilter, type SearchRequest } from '@continuum/fhir';
import { type AuditQuery, AuditEventRepository, type SearchResult } from '@continuum/store';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';

/**
 * Auditors' view of the audit trail: read by id and search by `patient`, `date` (ge/gt/le/lt/eq) and `subtype`,
 * newest first. The trail is its own table (append-only, chained), not a FHIR resource partition.
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
      outcome: request.outcome,
    };
  }
}

function narrow(query: AuditQuery, filter: SearchFilter): void {
  if (filter.kind !== 'param') throw badRequest('AuditEvent search supports patient, date and subtype only');
  if (filter.code === 'patient')
    query.patientIds = filter.values.flatMap((value) => (value.type === 'reference' ? [value.id] : []));
  else if (filter.code === 'subtype')
    query.subtype = filter.values.find((value) => value.type === 'token')?.code;
  else if (filter.code === 'date')
    for (const value of filter.values) {
      if (value.type !== 'date') continue;
      if (['ge', 'gt', 'eq', 'sa'].includes(value.prefix)) query.from = value.start;
      if (['le', 'lt', 'eq', 'eb'].includes(value.prefix)) query.to = value.end;
    }
  else throw badRequest(`AuditEvent search does not support '${filter.code}'`);
}
