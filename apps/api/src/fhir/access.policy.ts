import { forbidden, notFound, patientCompartmentsOf } from '@continuum/fhir';
import type { SearchOptions } from '@continuum/store';
import type { Resource } from 'fhir/r4';
import type { AccessContext } from './access.context';

/**
 * Applies an AccessContext to data access. Every store and search call of the FHIR services goes through here,
 * so enforcing SMART scopes later changes this file, not the controllers.
 */
export class AccessPolicy {
  constructor(private readonly baseUrl: string) {}

  /** Search options restricting matches and includes to the caller's patients. */
  searchScope(access: AccessContext): Pick<SearchOptions, 'compartment'> {
    return access.patientIds ? { compartment: { patientIds: access.patientIds } } : {};
  }

  /** A resource outside the caller's patients reads as absent (its existence is not disclosed). */
  assertReadable<T extends Resource>(resource: T, access: AccessContext): T {
    if (!this.visible(resource, access))
      throw notFound(`${resource.resourceType}/${resource.id ?? ''} not found`);
    return resource;
  }

  assertWritable(resource: Resource, access: AccessContext): void {
    if (!this.visible(resource, access))
      throw forbidden(`Writing ${resource.resourceType} outside the permitted patients' records`);
  }

  /** Operations not yet restricted by compartment (system/type history, bundles) need unrestricted access. */
  assertUnrestricted(access: AccessContext, what: string): void {
    if (access.patientIds) throw forbidden(`${what} needs access to all patients`);
  }

  private visible(resource: Resource, access: AccessContext): boolean {
    if (!access.patientIds) return true;
    const allowed = new Set(access.patientIds);
    return patientCompartmentsOf(resource, { baseUrl: this.baseUrl }).some((id) => allowed.has(id));
  }
}
