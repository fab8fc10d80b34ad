import { populationTables } from '../data/population-tables';
import type { Random } from '../random/random';
import { dayMonthSwapped, januaryFirst, oneDigitWrong } from './birth-date.edits';
import type { NamePicker } from './name.picker';
import type { CorruptionKind, CorruptionRates, PopulationPerson, SourceFactors, SourceRecord } from './population.model';
import { addDiacritics, dropDiacritics, typo } from './text-edits';

/** Of a re-issued person's non-GP records, the share still holding the superseded number (GPs follow PDS). */
export const REISSUED_OLD_NUMBER_HELD = 0.6;

/** Words that start a surname and are dropped with the rest kept: Al-Hashimi → Hashimi, Van den Berg → Berg. */
const PARTICLES = new Set(['al', 'el', 'de', 'da', 'do', 'dos', 'das', 'di', 'del', 'della', 'van', 'von', 'der', 'den', 'le', 'la', 'du', 'mac', 'ó']);

const BIRTH_DATE_KINDS: CorruptionKind[] = ['birth-date-jan-1', 'birth-date-digit', 'birth-date-day-month-swap'];

interface Rule {
  kind: CorruptionKind;
  /** Whether the record can take this corruption now (a cheap check; `apply` then changes the field). */
  eligible(record: SourceRecord, person: PopulationPerson): boolean;
  /** Changes the field; false only if no change was possible after all. */
  apply(record: SourceRecord, person: PopulationPerson, rng: Random): boolean;
}

/** name → the other names of every variant group it belongs to. */
function variantIndex(groups: string[][]): Map<string, string[]> {
  const index = new Map<string, Set<string>>();
  for (const group of groups) {
    for (const name of group) {
      const others = index.get(name) ?? new Set<string>();
      for (const other of group) if (other !== name) others.add(other);
      index.set(name, others);
    }
  }
  return new Map([...index].map(([name, others]) => [name, [...others]]));
}

/**
 * Applies controlled corruption to one source record. Every kind draws one number from the decision stream,
 * whether or not it applies, so a record's decisions do not move when another kind's rate changes (raising one
 * rate only adds records with that kind). The edits themselves draw from a separate details stream.
 */
export class CorruptionEngine {
  private readonly givenVariants = variantIndex(populationTables.givenVariants);
  private readonly familyVariants = variantIndex(populationTables.familyVariants);
  private readonly accented = new Map(Object.entries(populationTables.accented));
  private readonly rules: Rule[];

  constructor(
    private readonly rates: CorruptionRates,
    private readonly factors: SourceFactors,
    private readonly names: NamePicker,
    private readonly today: string,
  ) {
    this.rules = this.buildRules();
  }

  /** The chance that an eligible record of this source gets `kind`. */
  chance(kind: CorruptionKind, record: SourceRecord): number {
    if (kind === 'nhs-number-reissued') return REISSUED_OLD_NUMBER_HELD;
    return Math.min(1, this.rates[kind] * this.factors[record.source.kind]);
  }

  /** Corrupts `record` in place (its `corruptions` list grows); returns the kinds it was eligible for. */
  corrupt(record: SourceRecord, person: PopulationPerson, decisions: Random, details: Random): CorruptionKind[] {
    const eligible: CorruptionKind[] = [];
    for (const rule of this.rules) {
      const draw = decisions.next();
      if (!rule.eligible(record, person)) continue;
      eligible.push(rule.kind);
      if (draw < this.chance(rule.kind, record) && rule.apply(record, person, details)) record.corruptions.push(rule.kind);
    }
    return eligible;
  }

  private buildRules(): Rule[] {
    const today = this.today;
    const has = (r: SourceRecord, kind: CorruptionKind) => r.corruptions.includes(kind);
    const birthDateChanged = (r: SourceRecord) => BIRTH_DATE_KINDS.some((k) => has(r, k));
    const set = <K extends 'given' | 'family' | 'birthDate'>(r: SourceRecord, field: K, value: string | undefined) => {
      if (value === undefined || value === r[field]) return false;
      r[field] = value;
      return true;
    };
    const familyVariants = (r: SourceRecord, p: PopulationPerson) => {
      const masculine = p.sex === 'female' ? this.names.masculine(p.origin, r.family) : undefined;
      const listed = this.familyVariants.get(r.family) ?? [];
      return masculine ? [...listed, masculine] : listed;
    };
    return [
      {
        kind: 'married-name-change',
        eligible: (r, p) => p.formerFamily !== undefined && r.family === p.family,
        apply: (r, p) => set(r, 'family', p.formerFamily),
      },
      {
        kind: 'surname-part-dropped',
        eligible: (r) => /[ -]/.test(r.family),
        apply: (r, _p, rng) => set(r, 'family', partKept(r.family, rng)),
      },
      {
        kind: 'family-name-variant',
        eligible: (r, p) => familyVariants(r, p).length > 0,
        apply: (r, p, rng) => set(r, 'family', rng.pick(familyVariants(r, p))),
      },
      {
        kind: 'given-name-variant',
        eligible: (r) => this.givenVariants.has(r.given),
        apply: (r, _p, rng) => set(r, 'given', rng.pick(this.givenVariants.get(r.given)!)),
      },
      {
        kind: 'middle-name-as-given',
        eligible: (r) => r.middle !== undefined && r.middle !== r.given && !has(r, 'given-name-variant'),
        apply: (r) => {
          r.given = r.middle!;
          r.middle = undefined;
          return true;
        },
      },
      {
        kind: 'diacritics-dropped',
        eligible: (r) =>
          dropDiacritics(r.given) !== r.given || dropDiacritics(r.family) !== r.family || (r.middle !== undefined && dropDiacritics(r.middle) !== r.middle),
        apply: (r) => {
          r.given = dropDiacritics(r.given);
          r.family = dropDiacritics(r.family);
          if (r.middle) r.middle = dropDiacritics(r.middle);
          return true;
        },
      },
      {
        kind: 'diacritics-added',
        eligible: (r) => !has(r, 'diacritics-dropped') && (this.accent(r.given) !== undefined || this.accent(r.family) !== undefined),
        apply: (r, _p, rng) => {
          const fields = (['given', 'family'] as const).filter((f) => this.accent(r[f]) !== undefined);
          const field = rng.pick(fields);
          return set(r, field, this.accent(r[field]));
        },
      },
      {
        kind: 'typo',
        eligible: () => true,
        apply: (r, _p, rng) => {
          const field = rng.chance(0.55) ? 'family' : 'given';
          return set(r, field, typo(r[field], rng));
        },
      },
      {
        kind: 'names-transposed',
        eligible: (r) => r.given !== r.family,
        apply: (r) => {
          [r.given, r.family] = [r.family, r.given];
          return true;
        },
      },
      {
        kind: 'birth-date-jan-1',
        eligible: (r) => januaryFirst(r.birthDate) !== undefined,
        apply: (r) => set(r, 'birthDate', januaryFirst(r.birthDate)),
      },
      {
        kind: 'birth-date-digit',
        eligible: (r) => !birthDateChanged(r),
        apply: (r, _p, rng) => set(r, 'birthDate', oneDigitWrong(r.birthDate, today, rng)),
      },
      {
        kind: 'birth-date-day-month-swap',
        eligible: (r) => !birthDateChanged(r) && dayMonthSwapped(r.birthDate, today) !== undefined,
        apply: (r) => set(r, 'birthDate', dayMonthSwapped(r.birthDate, today)),
      },
      {
        kind: 'house-move',
        eligible: () => true,
        apply: (r, p) => {
          r.address = p.previousAddress;
          return true;
        },
      },
      {
        kind: 'nhs-number-missing',
        eligible: (r) => r.nhsNumber !== undefined,
        apply: (r) => {
          r.nhsNumber = undefined;
          r.nhsNumberStatus = undefined;
          return true;
        },
      },
      {
        kind: 'nhs-number-reissued',
        eligible: (r, p) => p.formerNhsNumber !== undefined && r.nhsNumber !== undefined && r.source.kind !== 'gp',
        apply: (r, p) => {
          r.nhsNumber = p.formerNhsNumber;
          return true;
        },
      },
      {
        kind: 'nhs-number-unverified',
        eligible: (r) => r.nhsNumber !== undefined && r.nhsNumberStatus === '01',
        apply: (r, _p, rng) => {
          r.nhsNumberStatus = rng.weighted(populationTables.unverifiedStatuses);
          return true;
        },
      },
    ];
  }

  private accent(name: string): string | undefined {
    return addDiacritics(name, this.accented);
  }
}

/** One part of a two-part surname: the rest after a particle (Al-, Van den), else the first or the last part. */
function partKept(family: string, rng: Random): string | undefined {
  const parts = family.split(/[ -]+/).filter(Boolean);
  if (parts.length < 2) return undefined;
  let start = 0;
  while (start < parts.length - 1 && PARTICLES.has(parts[start].toLowerCase())) start++;
  if (start > 0) return parts.slice(start).join(' ');
  return rng.chance(0.6) ? parts[0] : parts[parts.length - 1];
}
