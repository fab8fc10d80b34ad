export * from './view-suite';
export * from './memory-engine';
