import type { Reference, Resource } from 'fhir/r4';
import { loadPatientCompartmentDefinition } from './definitions.loader';
import { evaluate } from './fhirpath.evaluator';
import { parseReference } from './reference';
import { searchParameter } from './search-parameter.registry';

let expressionsByType: Map<string, string[]> | undefined;

/** Resource type → the FHIRPath expressions of its Patient-compartment parameters (from the CompartmentDefinition). */
function compartmentExpressions(resourceType: string): string[] {
  expressionsByType ??= new Map(
    (loadPatientCompartmentDefinition().resource ?? []).map((entry) => [
      entry.code,
      (entry.param ?? []).flatMap((code) => searchParameter(entry.code, code)?.expression ?? []),
    ]),
  );
  return expressionsByType.get(resourceType) ?? [];
}

/**
 * The ids of the patients whose compartment holds this resource (R4 Patient CompartmentDefinition): the Patient
 * targets of its compartment parameters, and a Patient's own id. Only references to resources on this server count:
 * relative ones, or absolute ones under `baseUrl`; another server's Patient/123 is not our patient 123.
 */
export function patientCompartmentsOf(resource: Resource, options: { baseUrl?: string } = {}): string[] {
  const ids = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) ids.add(resource.id);
  for (const expression of compartmentExpressions(resource.resourceType)) {
    for (const { type, value } of evaluate(expression, resource)) {
      if (type !== 'Reference') continue;
      const reference = value as Reference;
      if (!reference.reference) continue;
      const parsed = parseReference(reference.reference, options.baseUrl, reference.type);
      if (parsed && !parsed.external && parsed.type === 'Patient') ids.add(parsed.id);
    }
  }
  return [...ids].sort();
}
