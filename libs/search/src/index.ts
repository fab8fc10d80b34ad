export * from './elasticsearch-client';
export * from './elasticsearch.health';
