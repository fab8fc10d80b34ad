export * from './view-definition.types';
export * from './view-definition.error';
export * from './view-definition.plan';
export * from './view-definition.evaluator';
export { referenceKey } from './view-fhirpath';
export * from './suite';
export * from './view-output';
export * from './view-definition.storage';
