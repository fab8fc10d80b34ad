import type { Patient } from 'fhir/r4';
import { isValidNhsNumber } from '@continuum/fhir';
import { populationTables } from '../data/population-tables';
import { PopulationGenerator } from './population.generator';
import { CORRUPTION_KINDS, type CorruptionKind, type CorruptionRates, type LabelledRecord, type PopulationPerson } from './population.model';
import { dropDiacritics } from './text-edits';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const TODAY = '2026-01-01';

interface Seen {
  record: LabelledRecord;
  person: PopulationPerson;
}

/** Every record of a population where only `kind` happens (at rate 1, evenly in every source), with its person. */
function onlyKind(kind: CorruptionKind, persons = 1_000): Seen[] {
  const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, k === kind ? 1 : 0])) as CorruptionRates;
  if (kind === 'nhs-number-reissued') rates[kind] = 0.3;
  const generator = new PopulationGenerator({ seed: `only-${kind}`, persons, rates, sourceFactors: { gp: 1, acute: 1, community: 1, ooh: 1, social: 1 } });
  const out: Seen[] = [];
  for (const { household, records } of generator.households()) {
    const byId = new Map(household.members.map((m) => [m.id, m]));
    for (const { label } of records) out.push({ record: label, person: byId.get(label.truthPersonId)! });
  }
  return out;
}

/** The record's demographics in the case the truth is written in (the PAS keeps names and towns in capitals). */
function view({ record, person }: Seen) {
  const p: Patient = record.patient;
  const pas = record.sourceSystem.endsWith(':PAS');
  const name = p.name![0];
  const truthCase = (s: string | undefined) => (pas ? s?.toUpperCase() : s);
  const nhs = p.identifier!.find((i) => i.system === NHS);
  return {
    given: name.given![0],
    // the PAS mapping splits middle names into words
    middle: pas ? name.given!.slice(1).join(' ') || undefined : name.given![1],
    family: name.family!,
    birthDate: p.birthDate!,
    postcode: p.address![0].postalCode!,
    nhsNumber: nhs?.value,
    status: nhs?.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code,
    truth: { given: truthCase(person.given)!, middle: truthCase(person.middle), family: truthCase(person.family)!, former: truthCase(person.formerFamily) },
  };
}

/** Optimal string alignment distance: substitutions, insertions, deletions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function realDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date && date <= TODAY;
}

const inGroup = (groups: string[][], a: string, b: string) =>
  groups.some((g) => g.some((n) => n.toUpperCase() === a.toUpperCase()) && g.some((n) => n.toUpperCase() === b.toUpperCase()));

/** What each kind must have done to the record, given the true person. */
const CHECKS: Record<CorruptionKind, (s: Seen, all: Seen[]) => void> = {
  typo: (s) => {
    const v = view(s);
    // case-blind: a first letter typed wrong or left out is capitalised like the rest of the name
    const given = editDistance(v.given.toLowerCase(), v.truth.given.toLowerCase());
    const family = editDistance(v.family.toLowerCase(), v.truth.family.toLowerCase());
    expect([given, family].sort()).toEqual([0, 1]);
  },
  'given-name-variant': (s) => {
    const v = view(s);
    expect(v.given).not.toBe(v.truth.given);
    expect(inGroup(populationTables.givenVariants, v.given, v.truth.given)).toBe(true);
  },
  'family-name-variant': (s) => {
    const v = view(s);
    expect(v.family).not.toBe(v.truth.family);
    const feminineForm = s.person.sex === 'female' && /(ska|cka|ova|eva|ienė|iņa|ová)$/i.test(v.truth.family);
    expect(inGroup(populationTables.familyVariants, v.family, v.truth.family) || feminineForm).toBe(true);
  },
  'middle-name-as-given': (s) => {
    const v = view(s);
    expect(v.given).toBe(v.truth.middle);
    expect(v.middle).toBeUndefined();
  },
  'names-transposed': (s) => {
    const v = view(s);
    expect([v.given, v.family]).toEqual([v.truth.family, v.truth.given]);
  },
  'diacritics-dropped': (s) => {
    const v = view(s);
    expect([v.given, v.family]).toEqual([dropDiacritics(v.truth.given), dropDiacritics(v.truth.family)]);
    expect(`${v.given} ${v.family} ${v.middle ?? ''}`).not.toBe(`${v.truth.given} ${v.truth.family} ${v.truth.middle ?? ''}`);
  },
  'diacritics-added': (s) => {
    const v = view(s);
    expect(`${v.given} ${v.family}`).not.toBe(`${v.truth.given} ${v.truth.family}`);
    expect(dropDiacritics(`${v.given} ${v.family}`)).toBe(dropDiacritics(`${v.truth.given} ${v.truth.family}`));
  },
  'surname-part-dropped': (s) => {
    const v = view(s);
    const parts = v.truth.family.split(/[ -]+/);
    expect(parts.length).toBeGreaterThan(1);
    expect(v.truth.family.endsWith(v.family) || parts.includes(v.family)).toBe(true);
    expect(v.family).not.toBe(v.truth.family);
  },
  'married-name-change': (s) => {
    const v = view(s);
    expect(v.family).toBe(v.truth.former);
    expect(v.family).not.toBe(v.truth.family);
  },
  'birth-date-jan-1': (s) => {
    const v = view(s);
    expect(v.birthDate).toBe(`${s.person.birthDate.slice(0, 4)}-01-01`);
    expect(v.birthDate).not.toBe(s.person.birthDate);
  },
  'birth-date-digit': (s) => {
    const v = view(s);
    expect(realDate(v.birthDate)).toBe(true);
    expect([...v.birthDate].filter((c, i) => c !== s.person.birthDate[i]).length).toBe(1);
  },
  'birth-date-day-month-swap': (s) => {
    const [y, m, d] = s.person.birthDate.split('-');
    expect(view(s).birthDate).toBe(`${y}-${d}-${m}`);
    expect(d).not.toBe(m);
  },
  'house-move': (s, all) => {
    const v = view(s);
    expect(v.postcode).not.toBe(s.person.address.postcode);
    expect(v.postcode).toBe(s.person.previousAddress.postcode);
    const moves = all.filter((x) => x.record.corruptions.includes('house-move'));
    const district = (p: string) => p.split(' ')[0];
    const sameDistrict = moves.filter((x) => district(x.person.previousAddress.postcode) === district(x.person.address.postcode)).length;
    expect(sameDistrict).toBeGreaterThan(moves.length * 0.2);
    expect(sameDistrict).toBeLessThan(moves.length * 0.7);
  },
  'nhs-number-missing': (s) => {
    expect(view(s).nhsNumber).toBeUndefined();
  },
  'nhs-number-unverified': (s) => {
    const v = view(s);
    expect(v.nhsNumber).toBe(s.person.nhsNumber);
    expect(['02', '04', '05', '06']).toContain(v.status);
  },
  'nhs-number-reissued': (s) => {
    const v = view(s);
    expect(v.nhsNumber).toBe(s.person.formerNhsNumber);
    expect(v.nhsNumber).not.toBe(s.person.nhsNumber);
    expect(isValidNhsNumber(v.nhsNumber!)).toBe(true);
    expect(s.record.sourceSystem).not.toMatch(/EMIS-Web|SystmOne/);
  },
  'duplicate-record': (s, all) => {
    const same = all.filter((x) => x.record.truthPersonId === s.record.truthPersonId && x.record.sourceSystem === s.record.sourceSystem);
    expect(same.length).toBe(2);
    expect(new Set(same.map((x) => x.record.patient.id)).size).toBe(2);
    const localIds = same.map((x) => x.record.patient.identifier!.find((i) => i.system !== NHS)!.value);
    expect(localIds[0]).not.toBe(localIds[1]);
  },
};

describe('each corruption changes its field as its label says', () => {
  it.each([...CORRUPTION_KINDS])('%s', (kind) => {
    const seen = onlyKind(kind, kind === 'diacritics-added' ? 2_000 : 1_000);
    const labelled = seen.filter((s) => s.record.corruptions.includes(kind));
    expect(labelled.length).toBeGreaterThan(kind === 'nhs-number-reissued' ? 10 : 30);
    for (const s of labelled) {
      expect(s.record.corruptions).toEqual([kind]);
      CHECKS[kind](s, seen);
    }
  });

  it('a record without corruptions holds the truth: name, birth date, postcode and NHS number', () => {
    const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, 0])) as CorruptionRates;
    const generator = new PopulationGenerator({ seed: 'clean', persons: 500, rates });
    for (const { household, records } of generator.households()) {
      for (const { label } of records) {
        const s = { record: label, person: household.members.find((m) => m.id === label.truthPersonId)! };
        const v = view(s);
        expect([v.given, v.middle, v.family, v.birthDate, v.postcode, v.nhsNumber]).toEqual([
          v.truth.given,
          v.truth.middle,
          v.truth.family,
          s.person.birthDate,
          s.person.address.postcode,
          s.person.nhsNumber,
        ]);
      }
    }
  });
});
