import type { FhirResource, Patient } from 'fhir/r4';
import type { PersonRecord, RecordResourceType } from '../person-record';

/** A PersonRecord from loose resources, grouped by type as the portal's loader groups what it fetched. */
export function personRecordOf(patients: Patient[], resources: FhirResource[]): PersonRecord {
  const record: PersonRecord = { patients, resources: {} };
  for (const resource of resources) {
    const type = resource.resourceType as RecordResourceType;
    const list = (record.resources[type] ??= []) as FhirResource[];
    list.push(resource);
  }
  return record;
}
