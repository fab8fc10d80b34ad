import { isValidNhsNumber } from '@continuum/fhir';
import { MAX_POPULATION, PopulationGenerator } from './population.generator';
import { CORRUPTION_KINDS, type CorruptionRates } from './population.model';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

describe('re-issued NHS numbers and duplicate registrations', () => {
  it('never give a person, a superseded number or a local id twice, even when every person has both', () => {
    const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, 0])) as CorruptionRates;
    rates['nhs-number-reissued'] = 1;
    rates['duplicate-record'] = 1;
    const generator = new PopulationGenerator({ seed: 'collisions', persons: 2_000, rates, sourceFactors: { gp: 1, acute: 1, community: 1, ooh: 1, social: 1 } });
    const numbers = new Map<string, string>();
    const localIds = new Set<string>();
    let duplicates = 0;
    for (const { household, records } of generator.households()) {
      for (const person of household.members) {
        for (const n of [person.nhsNumber, person.formerNhsNumber!]) {
          expect(isValidNhsNumber(n)).toBe(true);
          expect(numbers.get(n) ?? person.id).toBe(person.id);
          numbers.set(n, person.id);
        }
      }
      for (const { label } of records) {
        const local = label.patient.identifier!.find((i) => i.system !== NHS)!;
        const key = `${local.system}|${local.value}`;
        expect(localIds.has(key)).toBe(false);
        localIds.add(key);
        if (label.corruptions.includes('duplicate-record')) duplicates++;
      }
    }
    expect(numbers.size).toBe(4_000);
    expect(duplicates).toBe(localIds.size / 2);
  });

  it('refuses more persons than the test range holds', () => {
    expect(() => new PopulationGenerator({ seed: 'x', persons: MAX_POPULATION + 1 })).toThrow(RangeError);
  });
});
