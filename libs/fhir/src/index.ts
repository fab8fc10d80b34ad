// Pure FHIR domain logic for Continuum. No framework or infrastructure imports (enforced by ESLint).
export * from './operation-outcome';
export * from './transient-fault';
export * from './nhs-number';
export * from './identifier-systems';
export * from './search';
export * from './validation';
export * from './routing-key';
export * from './ingestion';
export * from './search-document';
export * from './hl7v2';
export * from './summary';
export * from './identity';
export * from './consent';
export * from './text-safety';
export * from './bulk-export';
