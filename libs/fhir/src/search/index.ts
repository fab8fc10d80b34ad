// The pure FHIR search domain: parameter registry, index value extraction, normalisation, query parsing.
export * from './compartment';
export * from './reference';
export * from './search-parameter.registry';
export * from './search-parameter.types';
