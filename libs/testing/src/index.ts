export * from './test-env';
export * from './nhs-numbers';
export * from './wait-for';
export * from './topic-reader';
export * from './ingest-isolation';
export * from './test-fixtures';
