export {
  assertValidResource,
  findProblems,
  parseResourceJson,
  preloadValidation,
  DEFAULT_MAX_RESOURCE_BYTES,
} from './resource.validator';
export type { ValidationOptions, ValidationReport } from './resource.validator';
export { isValidFhirId, FHIR_ID } from './id-format';
export { isKnownResourceType } from './fhir-definitions';
