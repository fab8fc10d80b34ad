// The matcher of the master patient index (issue #13): demographics, comparison, Fellegi–Sunter model and training,
// blocking, scoring. Pure: no I/O; a service persists models and links.
export * from './blocking';
export * from './compare';
export * from './comparison-levels';
export * from './comparison-patterns';
export * from './demographics';
export * from './jaro-winkler';
export * from './match-model';
export * from './nicknames';
export * from './prepared-record';
export * from './scoring';
export * from './training';
