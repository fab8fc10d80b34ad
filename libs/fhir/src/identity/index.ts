// The matcher of the master patient index (issue #13): demographics, comparison levels, the Fellegi–Sunter model
// and its training, blocking, scoring. Pure: no I/O; a service persists models and links. See README.md here.
export * from './blocking';
export {
  compareBirthDate,
  compareFamily,
  compareGiven,
  compareInto,
  compareNhsNumber,
  comparePostcode,
  compareSex,
} from './compare';
export {
  MATCH_FIELDS,
  MATCH_LEVELS,
  MATCH_LEVEL_DESCRIPTIONS,
  NEUTRAL_MATCH_LEVELS,
  isNeutralLevel,
  matchLevelName,
  type MatchField,
  type MatchLevelOf,
} from './comparison-levels';
export * from './comparison-patterns';
export * from './demographics';
export * from './jaro-winkler';
export * from './match-model';
export * from './prepared-record';
export * from './scoring';
export * from './em';
export * from './term-frequencies';
export { formalNamesOf } from './nicknames';
export * from './training';
export * from './u-sampling';
export * from './link-decision';
export * from './incremental-linking';
export * from './linkage-evaluation';
