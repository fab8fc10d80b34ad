import { populationTables } from '../data/population-tables';
import type { SourceKind } from '../data/code-tables';
import { REISSUED_OLD_NUMBER_HELD } from './corruption.engine';
import { PopulationGenerator, type GeneratedRecord } from './population.generator';
import { CORRUPTION_KINDS, type CorruptionKind, type CorruptionRates, type PopulationOptions } from './population.model';
import { PopulationTally } from './population.tally';

const EVEN: PopulationOptions['sourceFactors'] = { gp: 1, acute: 1, community: 1, ooh: 1, social: 1 };

function run(options: Omit<PopulationOptions, 'seed'>, seed = 'rates'): { records: GeneratedRecord[]; tally: PopulationTally } {
  const tally = new PopulationTally();
  const records: GeneratedRecord[] = [];
  for (const household of new PopulationGenerator({ seed, ...options }).households()) {
    tally.add(household);
    records.push(...household.records);
  }
  return { records, tally };
}

/** Within five standard errors of a binomial proportion (17 kinds are checked at once), and at least half a point. */
function expectRate(kind: string, applied: number, eligible: number, rate: number): void {
  const tolerance = Math.max(0.005, 5 * Math.sqrt((rate * (1 - rate)) / eligible));
  const observed = applied / eligible;
  if (Math.abs(observed - rate) > tolerance) throw new Error(`${kind}: ${applied}/${eligible} = ${observed.toFixed(4)}, expected ${rate} ± ${tolerance.toFixed(4)}`);
}

describe('corruptions apply at their configured rates', () => {
  it('each kind, at an even 20% (re-issued persons 5%), lands on that share of the records it can apply to', () => {
    const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, 0.2])) as CorruptionRates;
    rates['nhs-number-reissued'] = 0.05;
    const { tally } = run({ persons: 5_000, rates, sourceFactors: EVEN });
    const summary = tally.summary();
    for (const kind of CORRUPTION_KINDS) {
      const { records, eligible } = summary.corruptions[kind];
      expect([kind, eligible > 100]).toEqual([kind, true]);
      expectRate(kind, records, eligible, kind === 'nhs-number-reissued' ? REISSUED_OLD_NUMBER_HELD : 0.2);
    }
    expectRate('re-issued persons', summary.personsWithReissuedNhsNumber, summary.persons, 0.05);
  });

  it('scales each rate by the source: GP records are the cleanest, social care the least clean', () => {
    const { records } = run({ persons: 8_000 });
    const kinds: CorruptionKind[] = ['nhs-number-missing', 'house-move', 'typo'];
    for (const kind of kinds) {
      for (const source of ['gp', 'acute', 'ooh'] as SourceKind[]) {
        const mine = records.filter((r) => r.sourceKind === source);
        const eligible = mine.filter((r) => r.eligible.includes(kind)).length;
        const applied = mine.filter((r) => r.label.corruptions.includes(kind)).length;
        expectRate(`${kind} in ${source}`, applied, eligible, populationTables.rates[kind] * populationTables.sources[source].corruptionFactor);
      }
    }
  });

  it('at rate zero nothing is corrupted: every record is clean', () => {
    const rates = Object.fromEntries(CORRUPTION_KINDS.map((k) => [k, 0])) as CorruptionRates;
    const { records } = run({ persons: 1_000, rates });
    expect(records.filter((r) => r.label.corruptions.length > 0)).toEqual([]);
  });

  it('raising one rate only adds that kind: every other decision stays where it was', () => {
    const kindsWithout = (r: GeneratedRecord, kind: CorruptionKind) => `${r.label.patient.id} ${r.label.corruptions.filter((k) => k !== kind).join(',')}`;
    const low = run({ persons: 1_500 }).records;
    const high = run({ persons: 1_500, rates: { typo: 0.5 } }).records;
    expect(high.map((r) => kindsWithout(r, 'typo'))).toEqual(low.map((r) => kindsWithout(r, 'typo')));
    const typos = (rs: GeneratedRecord[]) => rs.filter((r) => r.label.corruptions.includes('typo')).map((r) => r.label.patient.id);
    expect(typos(high).length).toBeGreaterThan(typos(low).length * 4);
    expect(typos(high)).toEqual(expect.arrayContaining(typos(low)));
  });
});
