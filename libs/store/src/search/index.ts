// Search on Postgres: the index writer the store calls at every write, and the searcher.
export * from './resource-searcher';
export * from './search-index.writer';
export type { IndexEntry } from '../store.ports';
