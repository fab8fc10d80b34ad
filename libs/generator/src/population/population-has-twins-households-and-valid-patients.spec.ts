import type { FhirResource, Patient } from 'fhir/r4';
import { findProblems, isValidNhsNumber, mapHl7v2Message } from '@continuum/fhir';
import { populationTables } from '../data/population-tables';
import { PopulationGenerator, type HouseholdOutput } from './population.generator';
import { CORRUPTION_KINDS, NAME_ORIGINS, type CorruptionRates, type LabelledRecord } from './population.model';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

/** One population of 10,000 persons, generated once for every test here. */
const households: HouseholdOutput[] = [...new PopulationGenerator({ seed: 'population-spec', persons: 10_000 }).households()];
const persons = households.flatMap((h) => h.household.members);
const records = households.flatMap((h) => h.records.map((r) => r.label));

function errorsOf(patient: Patient): string[] {
  return findProblems(patient)
    .filter((p) => (p.severity ?? 'error') === 'error')
    .map((p) => `${patient.id}: ${p.diagnostics} at ${p.expression?.join(',')}`);
}

describe('a labelled population', () => {
  it('has twins: same surname, birth date and address, different given names and NHS numbers', () => {
    const twins = persons.filter((p) => p.twinOf && p.birthOrder === 1);
    expect(twins.length).toBeGreaterThan(20);
    for (const first of twins) {
      const second = persons.find((p) => p.id === first.twinOf)!;
      expect(second.twinOf).toBe(first.id);
      expect([second.birthDate, second.address, second.householdId]).toEqual([first.birthDate, first.address, first.householdId]);
      expect(second.given).not.toBe(first.given);
      expect(second.nhsNumber).not.toBe(first.nhsNumber);
      if (first.sex === second.sex) expect(second.family).toBe(first.family);
    }
    expect(records.some((r) => r.twinOf && r.patient.multipleBirthInteger)).toBe(true);
  });

  it('puts people at one address: families, shared houses and care homes', () => {
    const kinds = new Set(households.filter((h) => h.household.members.length > 1).map((h) => h.household.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['couple', 'family', 'shared-house', 'care-home']));
    for (const { household } of households) {
      expect(new Set(household.members.map((m) => m.address.postcode)).size).toBe(1);
    }
    const careHome = households.find((h) => h.household.kind === 'care-home')!.household.members;
    expect(new Set(careHome.map((m) => m.family)).size).toBeGreaterThan(careHome.length / 2);
    expect(careHome.every((m) => m.birthDate <= '1951-01-01')).toBe(true);
  });

  it('draws names from every origin near its population share, and shares common names by chance', () => {
    for (const origin of NAME_ORIGINS) {
      const share = persons.filter((p) => p.origin === origin).length / persons.length;
      const expected = populationTables.origins[origin].share / 100;
      expect([origin, Math.abs(share - expected) < Math.max(0.006, expected * 0.3)]).toEqual([origin, true]);
    }
    const byName = new Map<string, number>();
    for (const p of persons) byName.set(`${p.given} ${p.family}`, (byName.get(`${p.given} ${p.family}`) ?? 0) + 1);
    expect(Math.max(...byName.values())).toBeGreaterThanOrEqual(4);
    const byFamilyAndBirth = new Map<string, Set<string>>();
    for (const p of persons.filter((x) => !x.twinOf)) {
      const key = `${p.family}|${p.birthDate}`;
      byFamilyAndBirth.set(key, (byFamilyAndBirth.get(key) ?? new Set()).add(p.householdId));
    }
    expect([...byFamilyAndBirth.values()].filter((h) => h.size > 1).length).toBeGreaterThanOrEqual(2);
  });

  it('has namesakes: unrelated people with the same names, sex and birth date, elsewhere and with their own NHS number', () => {
    const namesakes = persons.filter((p) => p.namesakeOf);
    expect(namesakes.length).toBeGreaterThan(10);
    for (const p of namesakes) {
      const other = persons.find((x) => x.id === p.namesakeOf)!;
      expect([p.given, p.family, p.sex, p.birthDate]).toEqual([other.given, other.family, other.sex, other.birthDate]);
      expect(p.householdId).not.toBe(other.householdId);
      expect(p.nhsNumber).not.toBe(other.nhsNumber);
    }
    expect(records.filter((r) => r.namesakeOf).length).toBeGreaterThanOrEqual(namesakes.length);
  });

  it('puts everybody in one to five sources, almost everybody at a GP, and every source holds a subset', () => {
    const sourcesOf = new Map<string, Set<string>>();
    for (const r of records) sourcesOf.set(r.truthPersonId, (sourcesOf.get(r.truthPersonId) ?? new Set()).add(r.sourceSystem.replace(/^Y\d+:.*/, 'GP')));
    expect(sourcesOf.size).toBe(persons.length);
    const counts = [...sourcesOf.values()].map((s) => s.size);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    const share = (source: string) => [...sourcesOf.values()].filter((s) => s.has(source)).length / persons.length;
    expect(share('GP')).toBeGreaterThan(0.95);
    for (const source of ['RXX:PAS', 'RYY:RiO', 'NXX:Adastra', 'LA123:Mosaic']) {
      expect([source, share(source) > 0.02 && share(source) < 0.6]).toEqual([source, true]);
    }
  });

  it('gives NHS numbers with valid check digits (none is deliberately invalid), verified mostly at the GP and PAS', () => {
    const numbers = records.flatMap((r) => r.patient.identifier!.filter((i) => i.system === NHS));
    expect(numbers.length).toBeGreaterThan(records.length * 0.8);
    expect(numbers.filter((i) => !isValidNhsNumber(i.value!))).toEqual([]);
    const verified = (source: RegExp) => {
      const mine = records.filter((r) => source.test(r.sourceSystem)).flatMap((r) => r.patient.identifier!.filter((i) => i.system === NHS));
      return mine.filter((i) => i.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code === '01').length / mine.length;
    };
    expect(verified(/EMIS-Web|SystmOne|PAS/)).toBeGreaterThan(0.85);
    expect(verified(/Adastra|Mosaic/)).toBeLessThan(0.5);
  });

  it('emits Patients the store accepts (libs/fhir validation), clean and corrupted alike, with real birth dates', () => {
    for (const r of records) {
      const date = r.patient.birthDate!;
      expect([date, new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date && date <= '2026-01-01']).toEqual([date, true]);
      expect(r.patient.meta?.source).toBe(r.sourceSystem);
    }
    // every kind of corruption in every source, at a high rate, and a plain sample: validation costs ~2 ms a Patient
    const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, 0.5])) as CorruptionRates;
    const noisy = [...new PopulationGenerator({ seed: 'population-spec-noisy', persons: 300, rates }).households()].flatMap((h) => h.records.map((r) => r.label));
    const sample: LabelledRecord[] = [...noisy, ...records.filter((_, i) => i % 40 === 0)];
    expect(new Set(sample.flatMap((r) => r.corruptions)).size).toBe(CORRUPTION_KINDS.length);
    expect(sample.flatMap((r) => errorsOf(r.patient)).slice(0, 10)).toEqual([]);
  }, 60_000);

  it("gives the acute trust's records as ADT^A28 messages that libs/fhir maps to exactly the labelled Patient", () => {
    const pas = records.filter((r) => r.sourceSystem === 'RXX:PAS');
    expect(pas.every((r) => r.hl7v2?.startsWith('MSH|') && r.hl7v2.includes('ADT^A28'))).toBe(true);
    expect(records.filter((r) => r.sourceSystem !== 'RXX:PAS').every((r) => r.hl7v2 === undefined)).toBe(true);
    for (const r of pas.filter((_, i) => i % 10 === 0)) {
      const mapped = mapHl7v2Message(r.hl7v2!, { sourceSystem: r.sourceSystem, receivedAt: '2026-01-01T09:00:00Z' });
      if (!mapped.ok) throw new Error(`${r.patient.id}: ${JSON.stringify(mapped.problems)}`);
      const patient = mapped.resources.find((x: FhirResource) => x.resourceType === 'Patient');
      const { meta: _meta, ...labelled } = r.patient;
      expect(patient).toEqual(labelled);
    }
  });
});
