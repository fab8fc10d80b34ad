// Pure mapping from FHIR resources to Elasticsearch search documents, with the phonetic and folding keys.
export * from './metaphone';
export * from './name-keys';
export * from './narrative-text';
export * from './postcode';
export * from './search-document.types';
export * from './search-document.builder';
