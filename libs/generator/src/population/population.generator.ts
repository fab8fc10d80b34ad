import type { SourceKind } from '../data/code-tables';
import { populationTables } from '../data/population-tables';
import { createCommunity } from '../community/community.factory';
import type { Community } from '../community/community.model';
import { parseDate } from '../clinical/dates';
import { allocateNhsNumber, MAX_PEOPLE } from '../person/nhs-number.allocator';
import { Random } from '../random/random';
import { CorruptionEngine } from './corruption.engine';
import { HouseholdFactory, type Household } from './household.factory';
import { NamePicker } from './name.picker';
import type { CorruptionKind, CorruptionRates, LabelledRecord, PopulationOptions, PopulationPerson, SourceFactors, SourceRecord } from './population.model';
import { SourceRecordFactory } from './source-record.factory';
import { fhirPatientOf, pasRecordOf } from './source-patient.mapper';

export const DEFAULT_POPULATION_TODAY = '2026-01-01';

/**
 * Persons per seed. Person i has the i-th NHS number of the 999 test range (900,000 numbers); re-issued persons'
 * superseded numbers are taken from the top of the range down, so the last 20,000 stay free for them.
 */
export const MAX_POPULATION = 880_000;

/** Duplicate registrations' local ids count down from the top of the smallest source's id space (six digits). */
const DUPLICATE_ID_TOP = 999_999;

/** What a run hands out in order: superseded NHS numbers and duplicate registrations' local ids. */
interface RunCounters {
  reissued: number;
  duplicates: number;
}

/** People living alone or among unrelated people: giving them another person's names breaks no family. */
const NAMESAKE_HOUSEHOLDS = new Set(['single', 'shared-house', 'care-home']);

/** How many recent persons a namesake is drawn from: constant memory, and the pair lands close in the file. */
const NAMESAKE_POOL = 512;

type Namesake = Pick<PopulationPerson, 'id' | 'origin' | 'sex' | 'given' | 'family' | 'birthDate'>;

/** One record with what the summary needs beside the label: its source kind and the corruptions it could take. */
export interface GeneratedRecord {
  label: LabelledRecord;
  sourceKind: SourceKind;
  eligible: CorruptionKind[];
}

export interface HouseholdOutput {
  household: Household;
  records: GeneratedRecord[];
}

/**
 * The labelled population for a seed: households one at a time, each member's records in every source that knows
 * them, corrupted at the configured rates. Household h depends only on (seed, h), persons are numbered in order,
 * so a smaller population is a prefix of a larger one and memory holds one household at a time.
 */
export class PopulationGenerator {
  readonly community: Community;
  readonly rates: CorruptionRates;
  readonly factors: SourceFactors;
  private readonly today: string;
  private readonly households_: HouseholdFactory;
  private readonly sources: SourceRecordFactory;
  private readonly engine: CorruptionEngine;
  private readonly sentAt: string;
  /** Born on or before this date: 18 or over today. */
  private readonly adultBy: string;

  constructor(private readonly options: PopulationOptions) {
    const { seed, persons } = options;
    if (!Number.isInteger(persons) || persons < 1 || persons > MAX_POPULATION) {
      throw new RangeError(`persons must be a whole number from 1 to ${MAX_POPULATION}`);
    }
    this.today = options.today ?? DEFAULT_POPULATION_TODAY;
    const today = parseDate(this.today);
    this.community = createCommunity(seed, today);
    this.rates = { ...populationTables.rates, ...options.rates };
    const defaults = Object.fromEntries(Object.entries(populationTables.sources).map(([kind, p]) => [kind, p.corruptionFactor])) as SourceFactors;
    this.factors = { ...defaults, ...options.sourceFactors };
    for (const [kind, rate] of Object.entries(this.rates)) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate of ${kind} must be between 0 and 1, not ${rate}`);
    }
    const names = new NamePicker();
    this.households_ = new HouseholdFactory(seed, this.community, names, today);
    this.sources = new SourceRecordFactory(seed, this.community, this.today);
    this.engine = new CorruptionEngine(this.rates, this.factors, names, this.today);
    this.sentAt = `${this.today.replace(/-/g, '')}0900`;
    this.adultBy = `${Number(this.today.slice(0, 4)) - 18}${this.today.slice(4)}`;
  }

  *households(): Generator<HouseholdOutput> {
    const { seed, persons } = this.options;
    const counters: RunCounters = { reissued: 0, duplicates: 0 };
    const pool: Namesake[] = [];
    let next = 0;
    for (let h = 0; next < persons; h++) {
      const household = this.households_.create(h, next, Random.of(seed, 'population', 'household', h));
      if (next + household.members.length > persons) {
        household.members = household.members.slice(0, persons - next);
        const ids = new Set(household.members.map((m) => m.id));
        for (const m of household.members) {
          if (m.twinOf && !ids.has(m.twinOf)) {
            delete m.twinOf;
            delete m.birthOrder;
          }
        }
      }
      next += household.members.length;
      this.namesakes(household, pool, Random.of(seed, 'population', 'namesakes', h));
      yield { household, records: household.members.flatMap((person) => this.recordsOf(person, counters)) };
    }
  }

  /** Every record of one person: one per source that knows them, and now and then a duplicate registration. */
  private recordsOf(person: PopulationPerson, counters: RunCounters): GeneratedRecord[] {
    const seed = this.options.seed;
    const base = Random.of(seed, 'population', 'sources', person.index);
    if (base.chance(this.rates['nhs-number-reissued'])) person.formerNhsNumber = this.superseded(counters);
    const decisions = Random.of(seed, 'population', 'decisions', person.index);
    const sources = this.sources.sourcesOf(person, base);
    if (person.practice && !sources.includes(person.practice)) delete person.practice;
    const out: GeneratedRecord[] = [];
    for (const source of sources) {
      const duplicateDraw = decisions.next();
      const record = this.sources.recordOf(person, source, person.index, base);
      // the edits draw from the record's own stream, so one record's edits never shift another's
      const details = Random.of(seed, 'population', 'details', person.index, source.id);
      const eligible = this.engine.corrupt(record, person, decisions, details);
      out.push(this.generated(person, record, ['duplicate-record', ...eligible]));
      if (duplicateDraw < Math.min(1, this.rates['duplicate-record'] * this.factors[source.kind])) {
        const duplicate = this.sources.recordOf(person, source, this.duplicateIdIndex(counters), base);
        duplicate.corruptions.push('duplicate-record');
        const again = Random.of(seed, 'population', 'duplicate', person.index, source.id);
        const againDetails = Random.of(seed, 'population', 'duplicate-details', person.index, source.id);
        out.push(this.generated(person, duplicate, this.engine.corrupt(duplicate, person, again, againDetails)));
      }
    }
    return out;
  }

  /**
   * Now and then a person living alone or among strangers shares given name, surname, sex and birth date with an
   * earlier person of the population: the same name and birthday by chance, rarer in nature (about one pair in
   * 100,000 people here) than a matcher's precision needs to be measured on.
   */
  private namesakes(household: Household, pool: Namesake[], rng: Random): void {
    for (const person of household.members) {
      if (pool.length > 0 && NAMESAKE_HOUSEHOLDS.has(household.kind) && rng.chance(populationTables.households.namesakeChance)) {
        // someone of about the same age, so a care-home resident does not take a schoolchild's birthday
        const year = Number(person.birthDate.slice(0, 4));
        let other = rng.pick(pool);
        for (let tries = 0; tries < 16 && Math.abs(Number(other.birthDate.slice(0, 4)) - year) > 8; tries++) other = rng.pick(pool);
        if (Math.abs(Number(other.birthDate.slice(0, 4)) - year) > 8) continue;
        if (other.sex !== person.sex) delete person.middle;
        Object.assign(person, { origin: other.origin, sex: other.sex, given: other.given, family: other.family, birthDate: other.birthDate, namesakeOf: other.id });
        if (person.middle === person.given) delete person.middle;
        delete person.formerFamily;
        if (person.prefix) person.prefix = person.sex === 'male' ? 'Mr' : 'Ms';
      }
    }
    for (const { id, origin, sex, given, family, birthDate } of household.members) {
      if (birthDate > this.adultBy) continue; // only adults live alone or among strangers
      if (pool.length === NAMESAKE_POOL) pool.splice(rng.int(0, NAMESAKE_POOL - 1), 1);
      pool.push({ id, origin, sex, given, family, birthDate });
    }
  }

  /** The next superseded NHS number, from the top of the test range down, never one a person of this run holds. */
  private superseded(counters: RunCounters): string {
    const index = MAX_PEOPLE - 1 - counters.reissued++;
    if (index < this.options.persons) throw new RangeError('the 999 test range has no NHS numbers left to re-issue: lower the persons or the nhs-number-reissued rate');
    return allocateNhsNumber(this.options.seed, index);
  }

  /** The next duplicate registration's local id index, from the top of the id space down, clear of every person's. */
  private duplicateIdIndex(counters: RunCounters): number {
    const index = DUPLICATE_ID_TOP - counters.duplicates++;
    if (index < this.options.persons) throw new RangeError('no local ids left for duplicate registrations: lower the persons or the duplicate-record rate');
    return index;
  }

  private generated(person: PopulationPerson, record: SourceRecord, eligible: CorruptionKind[]): GeneratedRecord {
    const pas = record.source.format === 'hl7v2' ? pasRecordOf(record, this.sentAt) : undefined;
    const label: LabelledRecord = {
      truthPersonId: person.id,
      householdId: person.householdId,
      householdKind: person.householdKind,
      sourceSystem: record.source.id,
      nameOrigin: person.origin,
      corruptions: record.corruptions,
      ...(person.twinOf ? { twinOf: person.twinOf } : {}),
      ...(person.namesakeOf ? { namesakeOf: person.namesakeOf } : {}),
      patient: pas ? pas.patient : fhirPatientOf(record),
      ...(pas ? { hl7v2: pas.hl7v2 } : {}),
    };
    return { label, sourceKind: record.source.kind, eligible };
  }
}

/** The labelled population as a stream of records, household by household (see PopulationGenerator). */
export function* generateLabelledPopulation(options: PopulationOptions): Generator<LabelledRecord> {
  for (const { records } of new PopulationGenerator(options).households()) {
    for (const r of records) yield r.label;
  }
}
