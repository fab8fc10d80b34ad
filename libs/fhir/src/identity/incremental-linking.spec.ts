import { IncrementalLinker } from './incremental-linking';
import { aRecord, NHS_NUMBERS } from './testing/patients';

const amara = {
  given: ['Amara'],
  family: 'Okonkwo',
  birthDate: '1984-03-17',
  postcode: 'LS6 2QT',
  gender: 'female' as const,
};

describe('linking records one at a time in memory (the IdentityLinker steps)', () => {
  it('joins a GP record, a PAS record and an NHS-number-less record with a surname typo into one person', () => {
    const linker = new IncrementalLinker();
    const gp = linker.link('gp', aRecord({ ...amara, nhs: NHS_NUMBERS[0] }));
    const pas = linker.link('pas', aRecord({ ...amara, nhs: NHS_NUMBERS[0] }));
    const rio = linker.link('rio', aRecord({ ...amara, family: 'Okonkow' }));
    expect(pas.person).toBe(gp.person);
    expect(rio.person).toBe(gp.person);
  });

  it('keeps a twin apart (another verified NHS number) and a stranger apart', () => {
    const linker = new IncrementalLinker();
    const one = linker.link('one', aRecord({ ...amara, nhs: NHS_NUMBERS[1] }));
    const twin = linker.link('twin', aRecord({ ...amara, given: ['Adaeze'], nhs: NHS_NUMBERS[2] }));
    const stranger = linker.link(
      'stranger',
      aRecord({ given: ['Tom'], family: 'Hardy', birthDate: '1950-01-02', postcode: 'BD7 1DP' }),
    );
    expect(new Set([one.person, twin.person, stranger.person]).size).toBe(3);
  });

  it('proposes a near match for review without joining it (twin without NHS numbers)', () => {
    const linker = new IncrementalLinker();
    const one = linker.link('one', aRecord(amara));
    const twin = linker.link('twin', aRecord({ ...amara, given: ['Adaeze'] }));
    expect(twin.person).not.toBe(one.person);
    expect(twin.possible).toEqual([one.person]);
  });

  it('compares at most maxCandidates records, and skips blocks that have grown to maxBlockSize', () => {
    const capped = new IncrementalLinker(undefined, { maxCandidates: 1 });
    capped.link('a', aRecord({ ...amara, nhs: NHS_NUMBERS[3] }));
    capped.link('b', aRecord({ ...amara, nhs: NHS_NUMBERS[3] }));
    expect(capped.link('c', aRecord({ ...amara, nhs: NHS_NUMBERS[3] })).compared).toBe(1);

    const crowded = new IncrementalLinker(undefined, { maxBlockSize: 2 });
    crowded.link('a', aRecord(amara));
    crowded.link('b', aRecord(amara));
    // every block the third record shares now holds two records: nothing is compared, it is a person of its own
    const third = crowded.link('c', aRecord(amara));
    expect(third.compared).toBe(0);
  });
});
