export * from './source-scoped-id';
