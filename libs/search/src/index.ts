export * from './elasticsearch-client';
export * from './elasticsearch.health';
export * from './search.module';
