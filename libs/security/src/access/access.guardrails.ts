import { forbidden, notFound, patientCompartmentsOf } from '@continuum/fhir';
import type { Queryable, ResourceChange } from '@continuum/store';
import type { Resource } from 'fhir/r4';
import type { ConsentGate } from '../consent/consent.gate';
import type { AuditTarget } from '../audit/audit.recorder';
import { type AccessContext, can, IDENTITY_ADMIN, tokenPerson } from './access-context';
import { changesIdentityLinks } from './identity-links';
import type { Interaction } from '../scopes/smart-scope.parser';

const NAMES: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/**
 * The checks every secured data access shares: scopes, the patient compartment, consent, and who may change a
 * patient's identity links. `db` is the write's transaction when a check runs inside one (the pool otherwise).
 */
export class AccessGuardrails {
  constructor(
    private readonly consent: ConsentGate,
    private readonly baseUrl: string,
  ) {}

  /** 403 unless a scope grants `interaction` on the type (`undefined` type: every type, i.e. a `*` scope). */
  assertScope(access: AccessContext, resourceType: string | undefined, interaction: Interaction): void {
    const allowed = resourceType
      ? can(access, resourceType, interaction)
      : access.grants.some((grant) => grant.resourceType === '*' && grant.interactions.has(interaction)) &&
        (!access.role || can(access, 'Patient', interaction));
    if (!allowed)
      throw forbidden(
        `The token's scopes do not allow ${NAMES[interaction]} on ${resourceType ?? 'all types'}`,
      );
  }

  /**
   * A resource read or about to be changed: its patients are noted for the audit; outside a patient/ token's
   * compartment it reads as absent (404, existence not disclosed); a consent that hides it is a 403.
   */
  async assertVisible(
    access: AccessContext,
    resource: Resource,
    target: AuditTarget,
    db?: Queryable,
  ): Promise<void> {
    await this.visiblePatients(access, resource, target, db);
  }

  /**
   * A resource about to be written: for a patient/ token, every patient it names (all its patient compartments)
   * must be the token's person; naming the token's patient beside another is still writing into the other's record
   * (403: the caller sent it).
   */
  assertWritable(access: AccessContext, resource: Resource, target: AuditTarget): void {
    if (!this.withinPerson(access, this.patientsOf(resource, target)))
      throw forbidden(`Writing ${resource.resourceType} outside the token's patient record`);
  }

  /**
   * One change, as every write path puts it (single writes, conditional ones, each bundle entry), inside the write's
   * transaction and under the row lock: the current version must be visible to the caller (404 / 403 as a read)
   * and, for a patient/ token, wholly its person's; the new content must be writable; and only an identity
   * administrator adds, removes or changes `Patient.link` (deleting a linked Patient removes its links).
   */
  async assertChange(
    access: AccessContext,
    change: ResourceChange,
    target: AuditTarget,
    db?: Queryable,
  ): Promise<void> {
    if (change.current) {
      const patients = await this.visiblePatients(access, change.current, target, db);
      if (!this.withinPerson(access, patients))
        throw forbidden(
          `${change.resourceType}/${change.id} belongs to another patient's record as well: the token cannot change it`,
        );
    }
    if (change.next) this.assertWritable(access, change.next, target);
    if (access.role !== IDENTITY_ADMIN && changesIdentityLinks(change.current, change.next, this.baseUrl))
      throw forbidden(
        'Patient.link (which records are the same person) is changed only by an identity administrator (role identity-admin)',
      );
  }

  /**
   * The items (history entries) a restricted caller may see: of a type it can read, in its compartment, not hidden
   * by consent (one look-up for all of them). Deletions carry no content to check, so they are left out.
   */
  async keepVisible<T extends { resource?: Resource }>(
    access: AccessContext,
    items: T[],
    target: AuditTarget,
  ): Promise<T[]> {
    const candidates = items.flatMap((item) =>
      item.resource && can(access, item.resource.resourceType, 'r')
        ? [{ item, patients: patientCompartmentsOf(item.resource, { baseUrl: this.baseUrl }) }]
        : [],
    );
    const inScope = candidates.filter(({ patients }) => this.inReach(access, patients));
    const verdict = await this.consent.verdict(access, [
      ...new Set(inScope.flatMap(({ patients }) => patients)),
    ]);
    const kept = inScope.filter(({ patients }) => !patients.some((patient) => verdict.hidden.has(patient)));
    kept.forEach(({ patients }) => patients.forEach((patient) => target.patientIds.add(patient)));
    return kept.map(({ item }) => item);
  }

  /** A resource with these patients is within a patient/ token's reach to read: any of them is the token's. */
  inReach(access: AccessContext, patients: string[]): boolean {
    const person = tokenPerson(access);
    return !person || patients.some((patient) => person.includes(patient));
  }

  /** ... and to write: it names patients, all of them the token's. */
  private withinPerson(access: AccessContext, patients: string[]): boolean {
    const person = tokenPerson(access);
    return !person || (patients.length > 0 && patients.every((patient) => person.includes(patient)));
  }

  /** The patients of a resource the caller may see (noted for the audit); refused as a read otherwise. */
  private async visiblePatients(
    access: AccessContext,
    resource: Resource,
    target: AuditTarget,
    db: Queryable | undefined,
  ): Promise<string[]> {
    const patients = this.patientsOf(resource, target);
    if (!this.inReach(access, patients))
      throw notFound(`${resource.resourceType}/${resource.id ?? ''} not found`);
    await this.consent.assertVisible(access, patients, db);
    return patients;
  }

  /** The resource's patients, noted for the audit. */
  private patientsOf(resource: Resource, target: AuditTarget): string[] {
    const patients = patientCompartmentsOf(resource, { baseUrl: this.baseUrl });
    patients.forEach((patient) => target.patientIds.add(patient));
    return patients;
  }
}
