import { holdsLocatingDetails, patientCompartmentsOf, redactLocating } from '@continuum/fhir';
import type { RestrictedPersonQueries } from '@continuum/store';
import type { Resource } from 'fhir/r4';

/** A resource on its way to the caller, with the patients whose compartments hold it when already known. */
export interface Outgoing<T extends Resource = Resource> {
  resource: T;
  compartments?: string[];
}

/**
 * Restricted (S-flag) people at the secured door: whatever interaction and whichever source supplied them, the
 * locating details (libs/fhir restricted-person.ts) of a restricted person's resources are removed before they
 * reach the caller. Whether a person is restricted is decided in SQL for all the resources of a response at once
 * (one statement); resources of types without locating details cost nothing.
 */
export class RestrictedPeople {
  constructor(
    private readonly queries: RestrictedPersonQueries,
    private readonly baseUrl: string,
  ) {}

  /** The resources, in order, each redacted when it belongs to a restricted person. */
  async redact<T extends Resource>(outgoing: Outgoing<T>[]): Promise<T[]> {
    const candidates = outgoing.map(({ resource, compartments }) =>
      holdsLocatingDetails(resource.resourceType)
        ? (compartments ?? patientCompartmentsOf(resource, { baseUrl: this.baseUrl }))
        : [],
    );
    const patients = candidates.flat();
    if (!patients.length) return outgoing.map(({ resource }) => resource);
    const restricted = await this.queries.restrictedAmong(patients);
    return outgoing.map(({ resource }, i) =>
      candidates[i].some((patient) => restricted.has(patient)) ? redactLocating(resource) : resource,
    );
  }

  async redactOne<T extends Resource>(resource: T, compartments?: string[]): Promise<T> {
    const [redacted] = await this.redact([{ resource, compartments }]);
    return redacted;
  }

  /** A Bundle (history, batch or transaction response) with each entry's resource redacted as needed. */
  async redactBundleEntries<E extends { resource?: Resource }>(entries: E[]): Promise<E[]> {
    const withResource = entries.filter((entry) => entry.resource);
    const redacted = await this.redact(withResource.map((entry) => ({ resource: entry.resource! })));
    const byEntry = new Map(withResource.map((entry, i) => [entry, redacted[i]]));
    return entries.map((entry) => (byEntry.has(entry) ? { ...entry, resource: byEntry.get(entry) } : entry));
  }
}
