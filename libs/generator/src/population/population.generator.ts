import type { SourceKind } from '../data/code-tables';
import { populationTables } from '../data/population-tables';
import { createCommunity } from '../community/community.factory';
import type { Community } from '../community/community.model';
import { parseDate } from '../clinical/dates';
import { Random } from '../random/random';
import { CorruptionEngine } from './corruption.engine';
import { HouseholdFactory, MAX_POPULATION, type Household } from './household.factory';
import { NamePicker } from './name.picker';
import type { CorruptionKind, CorruptionRates, LabelledRecord, PopulationOptions, PopulationPerson, SourceFactors, SourceRecord } from './population.model';
import { SourceRecordFactory } from './source-record.factory';
import { fhirPatientOf, pasRecordOf } from './source-patient.mapper';

export const DEFAULT_POPULATION_TODAY = '2026-01-01';

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
    this.households_ = new HouseholdFactory(seed, this.community, names, today, this.rates['nhs-number-reissued']);
    this.sources = new SourceRecordFactory(seed, this.community, this.today);
    this.engine = new CorruptionEngine(this.rates, this.factors, names, this.today);
    this.sentAt = `${this.today.replace(/-/g, '')}0900`;
  }

  *households(): Generator<HouseholdOutput> {
    let next = 0;
    for (let h = 0; next < this.options.persons; h++) {
      const household = this.households_.create(h, next, Random.of(this.options.seed, 'population', 'household', h));
      if (next + household.members.length > this.options.persons) {
        household.members = household.members.slice(0, this.options.persons - next);
        const ids = new Set(household.members.map((m) => m.id));
        for (const m of household.members) {
          if (m.twinOf && !ids.has(m.twinOf)) {
            delete m.twinOf;
            delete m.birthOrder;
          }
        }
      }
      next += household.members.length;
      yield { household, records: household.members.flatMap((person) => this.recordsOf(person)) };
    }
  }

  /** Every record of one person: one per source that knows them, and now and then a duplicate registration. */
  recordsOf(person: PopulationPerson): GeneratedRecord[] {
    const seed = this.options.seed;
    const base = Random.of(seed, 'population', 'sources', person.index);
    const decisions = Random.of(seed, 'population', 'decisions', person.index);
    const sources = this.sources.sourcesOf(person, base);
    if (person.practice && !sources.includes(person.practice)) delete person.practice;
    const out: GeneratedRecord[] = [];
    for (const source of sources) {
      const duplicateDraw = decisions.next();
      const record = this.sources.recordOf(person, source, false, base);
      // the edits draw from the record's own stream, so one record's edits never shift another's
      const details = Random.of(seed, 'population', 'details', person.index, source.id);
      const eligible = this.engine.corrupt(record, person, decisions, details);
      out.push(this.generated(person, record, ['duplicate-record', ...eligible]));
      if (duplicateDraw < Math.min(1, this.rates['duplicate-record'] * this.factors[source.kind])) {
        const duplicate = this.sources.recordOf(person, source, true, base);
        duplicate.corruptions.push('duplicate-record');
        const again = Random.of(seed, 'population', 'duplicate', person.index, source.id);
        const againDetails = Random.of(seed, 'population', 'duplicate-details', person.index, source.id);
        out.push(this.generated(person, duplicate, this.engine.corrupt(duplicate, person, again, againDetails)));
      }
    }
    return out;
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
