import type { Reference, Resource } from 'fhir/r4';
import { loadPatientCompartmentDefinition } from './definitions.loader';
import type { SearchFilter } from './search-request.types';
import { evaluate } from './fhirpath.evaluator';
import { parseReference } from './reference';
import { searchParameter } from './search-parameter.registry';

let expressionsByType: Map<string, string[]> | undefined;
let narrowingByType: Map<string, Set<string>> | undefined;

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

/**
 * The reference parameters of a type whose Patient targets are always compartment members: the compartment's own
 * parameters, and those whose expression is one of theirs narrowed by a `.where(...)` (R4's `patient` parameters,
 * e.g. Observation.subject.where(... Patient) inside the compartment's Observation.subject).
 */
function narrowingCodes(resourceType: string): Set<string> {
  narrowingByType ??= new Map(
    (loadPatientCompartmentDefinition().resource ?? []).map((entry) => {
      const params = entry.param ?? [];
      const expressions = new Set(
        params.flatMap((code) => searchParameter(entry.code, code)?.expression ?? []),
      );
      const codes = new Set(params);
      for (const candidate of ['patient', 'subject']) {
        const expression = searchParameter(entry.code, candidate)?.expression;
        if (expression && expressions.has(expression.replace(/\.where\(.*\)$/, ''))) codes.add(candidate);
      }
      return [entry.code, codes];
    }),
  );
  return narrowingByType.get(resourceType) ?? new Set();
}

/**
 * When a search's AND-ed filters pin its matches to some patients (`Observation?patient=123`,
 * `subject=Patient/123,Patient/456`), the ids of those patients: every match lies in one of their compartments, so
 * the store can find candidates through the compartments index first (a superset; the filter itself still applies).
 * Undefined when no filter pins it.
 */
export function patientsPinnedBy(
  resourceType: string,
  filters: SearchFilter[],
  options: { baseUrl?: string } = {},
): string[] | undefined {
  const codes = narrowingCodes(resourceType);
  for (const filter of filters) {
    if (filter.kind !== 'param' || filter.type !== 'reference' || filter.modifier || !codes.has(filter.code))
      continue;
    const onlyPatients = searchParameter(resourceType, filter.code)?.targets.every((t) => t === 'Patient');
    const ids = filter.values.map((value) => {
      if (value.type !== 'reference') return undefined;
      const parsed = parseReference(value.id, options.baseUrl, value.resourceType);
      if (parsed && !parsed.external) return parsed.type === 'Patient' ? parsed.id : undefined;
      // a bare id: a Patient's when the modifier says so or the parameter can only point at patients
      const bare = !value.id.includes('/');
      return bare && (value.resourceType ?? (onlyPatients && 'Patient')) === 'Patient' ? value.id : undefined;
    });
    if (ids.length && ids.every((id) => id !== undefined)) return [...new Set(ids as string[])];
  }
  return undefined;
}
