/** Typed views over the labelled population's JSON tables (name origins, name variants, households and sources). */
import type { Weighted } from '../random/random';
import type { SourceKind } from './code-tables';
import nameOriginsJson from './name-origins.json';
import nameVariantsJson from './name-variants.json';
import populationJson from './population.json';
import type { CorruptionRates, HouseholdKind, NameOrigin } from '../population/population.model';
import { CORRUPTION_KINDS, NAME_ORIGINS } from '../population/population.model';

export interface NameEra {
  /** First year of birth the lists apply to. */
  born: number;
  male: string[];
  female: string[];
}

export interface OriginTable {
  label: string;
  share: number;
  zipf: { given: number; surname: number };
  middleNameChance: number;
  marriedNameChange: number;
  compoundSurnameChance: number;
  compoundJoiner?: string;
  surnameTail?: { share: number; first: string[]; last: string[] };
  feminineSuffixes?: Array<[string, string]>;
  femaleSurnames?: Record<string, string>;
  femaleSurnameChance?: number;
  eras: NameEra[];
  surnames: string[];
}

export type AgeRange = [number, number];

export interface SourceProfile {
  /** [from age, share known to the source] bands. */
  coverage: Array<[number, number]>;
  /** Share of the source's records that carry the NHS number verification status. */
  statusSent: number;
  corruptionFactor: number;
  /** Share of records with a telephone number. */
  telecom: number;
}

export interface PlaceTable {
  name: string;
  county: string;
  districts: string[];
}

export interface HouseholdTables {
  kinds: Weighted<HouseholdKind>[];
  singleAge: Weighted<AgeRange>[];
  coupleAge: Weighted<AgeRange>[];
  children: Weighted<number>[];
  parentAgeAtBirth: AgeRange;
  adultChildChance: number;
  sharedHouse: { size: AgeRange; age: AgeRange };
  careHome: { size: AgeRange; age: AgeRange };
  twinChance: number;
  namesakeChance: number;
  mixedOriginCouple: number;
  sameSexCouple: number;
  doubleBarrelledChildren: number;
  widowedFormerNameChance: number;
  flatChance: number;
  landlineChance: number;
  mobileFromAge: number;
  careHomeNames: string[];
  move: { sameDistrict: number; elsewhereInUk: number };
  elsewhere: PlaceTable[];
  phones: { mobile: string[]; landline: string[] };
}

export interface PopulationTables {
  origins: Record<NameOrigin, OriginTable>;
  givenVariants: string[][];
  familyVariants: string[][];
  accented: Record<string, string>;
  households: HouseholdTables;
  sources: Record<SourceKind, SourceProfile>;
  careHomeCoverage: Partial<Record<SourceKind, number>>;
  unverifiedStatuses: Weighted<string>[];
  rates: CorruptionRates;
}

function checked(): PopulationTables {
  const origins = nameOriginsJson.origins as unknown as Record<NameOrigin, OriginTable>;
  for (const origin of NAME_ORIGINS) if (!origins[origin]) throw new Error(`name-origins.json has no origin '${origin}'`);
  const rates = populationJson.rates as CorruptionRates;
  for (const kind of CORRUPTION_KINDS) if (typeof rates[kind] !== 'number') throw new Error(`population.json has no rate for '${kind}'`);
  return {
    origins,
    givenVariants: nameVariantsJson.given,
    familyVariants: nameVariantsJson.family,
    accented: nameVariantsJson.accented as Record<string, string>,
    households: populationJson.households as unknown as HouseholdTables,
    sources: populationJson.sources as unknown as Record<SourceKind, SourceProfile>,
    careHomeCoverage: populationJson.careHomeCoverage,
    unverifiedStatuses: populationJson.unverifiedStatuses,
    rates,
  };
}

export const populationTables: PopulationTables = checked();
