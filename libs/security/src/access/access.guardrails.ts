import { forbidden, notFound, patientCompartmentsOf } from '@continuum/fhir';
import type { Resource } from 'fhir/r4';
import type { ConsentGate } from '../consent/consent.gate';
import type { AuditTarget } from '../audit/audit.recorder';
import { type AccessContext, can } from './access-context';
import type { Interaction } from '../scopes/smart-scope.parser';

const NAMES: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** The checks every secured data access shares: scopes, the patient compartment, consent. */
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

  /** Refuses what cannot be confined to a patient's compartment (bundles, conditional writes) for patient/ tokens. */
  assertUnrestricted(access: AccessContext, what: string): void {
    if (access.patientIds) throw forbidden(`${what} is not available to patient-scoped tokens`);
  }

  /**
   * A resource read or about to be changed: its patients are noted for the audit; outside a patient/ token's
   * compartment it reads as absent (404, existence not disclosed); a consent that hides it is a 403.
   */
  async assertVisible(access: AccessContext, resource: Resource, target: AuditTarget): Promise<void> {
    const patients = this.patientsOf(resource, target);
    if (!this.inCompartment(access, patients))
      throw notFound(`${resource.resourceType}/${resource.id ?? ''} not found`);
    await this.consent.assertVisible(access, patients);
  }

  /** A resource about to be written must belong to a patient/ token's patient (403: the caller sent it). */
  assertWritable(access: AccessContext, resource: Resource, target: AuditTarget): void {
    if (!this.inCompartment(access, this.patientsOf(resource, target)))
      throw forbidden(`Writing ${resource.resourceType} outside the token's patient record`);
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
    const inScope = candidates.filter(({ patients }) => this.inCompartment(access, patients));
    const hidden = await this.consent.hidden(
      access,
      inScope.flatMap(({ patients }) => patients),
    );
    const kept = inScope.filter(({ patients }) => !patients.some((patient) => hidden.has(patient)));
    kept.forEach(({ patients }) => patients.forEach((patient) => target.patientIds.add(patient)));
    return kept.map(({ item }) => item);
  }

  /** The resource's patients, noted for the audit. */
  private patientsOf(resource: Resource, target: AuditTarget): string[] {
    const patients = patientCompartmentsOf(resource, { baseUrl: this.baseUrl });
    patients.forEach((patient) => target.patientIds.add(patient));
    return patients;
  }

  private inCompartment(access: AccessContext, patients: string[]): boolean {
    return !access.patientIds || patients.some((patient) => access.patientIds?.includes(patient));
  }
}
