import type { ConsentQueries, RecordView, ResourceChange, ResourceRef } from '@continuum/store';
import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { AuditTarget } from '../audit/audit.recorder';
import type { ConsentGate } from '../consent/consent.gate';
import { type AccessContext, can, tokenPerson } from './access-context';
import type { AccessGuardrails } from './access.guardrails';

/**
 * One caller's view of the record, handed to the plain store with every write and bundle (WriteContext.view), so
 * that what the store finds and changes on the caller's behalf passes the same checks as the caller's own reads and
 * writes: conditional matches and references, bundle reads and searches, and every change, inside the write's
 * transaction. The patients of what it lets through are noted on the request's audit target.
 */
export class CallerView implements RecordView {
  readonly compartment?: string[];

  constructor(
    private readonly access: AccessContext,
    private readonly target: AuditTarget,
    private readonly guardrails: AccessGuardrails,
    private readonly consent: ConsentGate,
    private readonly consents: ConsentQueries,
  ) {
    this.compartment = tokenPerson(access);
  }

  /**
   * Candidates of a type the caller may read, within its reach, not hidden by consent: judged on their stored
   * compartments (one look-up, as searches are), so the search's `_elements` or `_summary` cannot hide a subject.
   */
  async visible<T extends ResourceRef>(tx: postgres.TransactionSql, candidates: T[]): Promise<T[]> {
    const readable = candidates.filter((candidate) => can(this.access, candidate.resourceType, 'r'));
    const compartments = await this.consents.compartments(readable, tx);
    const patientsOf = (ref: ResourceRef) => compartments.get(`${ref.resourceType}/${ref.id}`) ?? [];
    const inReach = readable.filter((ref) => this.guardrails.inReach(this.access, patientsOf(ref)));
    const verdict = await this.consent.verdict(this.access, [...new Set(inReach.flatMap(patientsOf))], tx);
    const kept = inReach.filter((ref) => !patientsOf(ref).some((patient) => verdict.hidden.has(patient)));
    kept.forEach((ref) => patientsOf(ref).forEach((patient) => this.target.patientIds.add(patient)));
    return kept;
  }

  assertReadable(tx: postgres.TransactionSql, resource: Resource): Promise<void> {
    return this.guardrails.assertVisible(this.access, resource, this.target, tx);
  }

  assertChange(tx: postgres.TransactionSql, change: ResourceChange): Promise<void> {
    return this.guardrails.assertChange(this.access, change, this.target, tx);
  }
}
