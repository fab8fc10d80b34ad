// Synthetic NHS integration community: people, their records in several source systems, and those systems' feeds.
export * from './community.generator';
export * from './community/community.model';
export { createCommunity, GMC_NUMBER_SYSTEM } from './community/community.factory';
export * from './output/output.model';
export * from './output/file-output.sink';
export * from './generate.runner';
export { allocateNhsNumber, MAX_PEOPLE } from './person/nhs-number.allocator';
export type { Person, SourceView, NoiseKind } from './person/person.model';
export { Random, hash32 } from './random/random';
export { TextFileWriter } from './output/text-file.writer';
export * from './population/population.model';
export { PopulationGenerator, generateLabelledPopulation, DEFAULT_POPULATION_TODAY, MAX_POPULATION } from './population/population.generator';
export type { GeneratedRecord, HouseholdOutput } from './population/population.generator';
export type { Household } from './population/household.factory';
export { writePopulation } from './population/population.runner';
export type { PopulationRunSummary } from './population/population.runner';
export type { PopulationSummary } from './population/population.tally';
