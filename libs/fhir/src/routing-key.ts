import type { Bundle, Patient, Resource } from 'fhir/r4';
import { IdentifierSystem } from './identifier-systems';
import { normaliseNhsNumber } from './nhs-number';
import { patientCompartmentsOf } from './search/compartment';

/**
 * The Kafka key that keeps one patient's messages in order on one partition: the NHS number when the message
 * carries one, else the source's own patient id, else the resource itself (messages about no patient).
 */
export function patientRoutingKey(message: Resource): string {
  if (message.resourceType === 'Bundle') {
    const resources = ((message as Bundle).entry ?? []).flatMap((entry) =>
      entry.resource ? [entry.resource] : [],
    );
    const patient = resources.find((resource) => resource.resourceType === 'Patient');
    if (patient) return patientRoutingKey(patient);
    for (const resource of resources) {
      const [patientId] = patientCompartmentsOf(resource);
      if (patientId) return `Patient/${patientId}`;
    }
    return `Bundle/${message.id ?? 'unidentified'}`;
  }
  if (message.resourceType === 'Patient') {
    const nhsNumber = (message as Patient).identifier?.find(
      (id) => id.system === IdentifierSystem.nhsNumber,
    )?.value;
    if (nhsNumber) return normaliseNhsNumber(nhsNumber);
  }
  const [patientId] = patientCompartmentsOf(message);
  if (patientId) return `Patient/${patientId}`;
  return `${message.resourceType}/${message.id ?? 'unidentified'}`;
}
