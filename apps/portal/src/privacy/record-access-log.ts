import { HttpConfig } from '@continuum/config';
import { parseSearchRequest } from '@continuum/fhir';
import { type AccessEntry, accessEntryOf } from '@continuum/security';
import { PersonQueries, ResourceStore } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type { AuditEvent } from 'fhir/r4';

/** Most accesses one page lists (newest first). */
export const ACCESS_LOG_LIMIT = 1000;

export interface RecordAccessLogPage {
  /** Every record of the person (the identity index's linked source Patients). */
  patientIds: string[];
  entries: AccessEntry[];
  /** More accesses exist than the page lists. */
  truncated: boolean;
}

/**
 * "Who viewed this record": every access to any record of the PERSON (all linked source Patients), from the audit
 * trail, read through the secured door as the privacy officer (an auditor: AuditEvents only, and that read is itself
 * audited). Newest first.
 */
@Injectable()
export class RecordAccessLog {
  private readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    private readonly persons: PersonQueries,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async of(patientId: string): Promise<RecordAccessLogPage> {
    const patientIds = (await this.persons.samePerson([patientId])).get(patientId) ?? [patientId];
    const request = parseSearchRequest(
      'AuditEvent',
      [
        ['patient', patientIds.map((id) => `Patient/${id}`).join(',')],
        ['_count', String(ACCESS_LOG_LIMIT)],
      ],
      { baseUrl: this.baseUrl, strict: true },
    );
    const result = await this.store.search(request, { baseUrl: this.baseUrl });
    return {
      patientIds,
      entries: result.matches.map((match) => accessEntryOf(match.content as AuditEvent)),
      truncated: result.next !== undefined,
    };
  }
}
