// The pure FHIR search domain: parameter registry, index value extraction, normalisation, query parsing.
export * from './compartment';
export * from './reference';
export * from './search-parameter.registry';
export * from './search-parameter.types';
export * from './date-range';
export * from './decimal-range';
export * from './fold-text';
export * from './index-rows.extractor';
export * from './index-rows.types';
export * from './search-request.parser';
export * from './search-request.types';
export * from './search-value.parser';
export * from './summary';
export * from './pdqm-query';
export * from './ucum';
