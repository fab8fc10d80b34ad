import type { Patient } from 'fhir/r4';
import { openSearchTestContext, type SearchTestContext } from '../testing/search-test-context';
import { PatientFinder } from './patient-finder.service';

const person = (id: string, family: string, given: string, birthDate: string, gender: Patient['gender']) =>
  ({
    resourceType: 'Patient',
    id,
    name: [{ family, given: [given] }],
    birthDate,
    gender,
    address: [{ postalCode: 'LS6 2QT' }],
  }) as Patient;

describe('PatientFinder: PDQm demographics with fuzzy and phonetic names', () => {
  let context: SearchTestContext;
  let finder: PatientFinder;
  let s: string;
  const first = async (query: Parameters<PatientFinder['find']>[0]) => (await finder.find(query))[0]?.id;

  beforeAll(async () => {
    context = await openSearchTestContext('pdqm-names');
    finder = new PatientFinder(context.client, context.naming);
    s = context.suffix;
    for (const patient of [
      person(`robert-${s}`, 'Fairweather', 'Robert', '1961-03-14', 'male'),
      person(`roberta-${s}`, 'Fairweather', 'Roberta', '1963-07-02', 'female'),
      person(`siobhan-${s}`, 'McAllister', 'Siobhan', '1988-11-30', 'female'),
      person(`katherine-${s}`, 'Thompson', 'Katherine', '1979-01-01', 'female'),
      person(`other-${s}`, 'Oyelaran', 'Oluwaseun', '1992-05-05', 'male'),
    ])
      await context.store.update(patient, { sourceSystem: 'Y12345:EMIS-Web' });
    await context.drainOutbox();
  });
  afterAll(() => context.close());

  it('finds a family name with a typo', async () => {
    expect(await first({ family: 'Fairwether', given: 'Robert', birthDate: '1961-03-14' })).toBe(
      `robert-${s}`,
    );
    expect(await first({ family: 'McAlister', given: 'Siobhan' })).toBe(`siobhan-${s}`);
  });

  it('finds a sound-alike spelling (phonetic key)', async () => {
    expect(await first({ family: 'Tomson', given: 'Katherine' })).toBe(`katherine-${s}`);
    expect(await first({ family: 'Fayrweather', given: 'Robert', gender: 'male' })).toBe(`robert-${s}`);
  });

  it('finds a familiar form of the given name (nickname)', async () => {
    expect(await first({ family: 'Fairweather', given: 'Bob', birthDate: '1961-03-14' })).toBe(`robert-${s}`);
    expect(await first({ family: 'Thompson', given: 'Kate' })).toBe(`katherine-${s}`);
  });

  it('finds family and given names transposed', async () => {
    expect(await first({ family: 'Siobhan', given: 'McAllister' })).toBe(`siobhan-${s}`);
    expect(await first({ family: 'Robert', given: 'Fairweather', gender: 'male' })).toBe(`robert-${s}`);
  });

  it('ranks by the other demographics among people sharing a name, and needs a name when one is given', async () => {
    expect(await first({ family: 'Fairweather', birthDate: '1963-07-02' })).toBe(`roberta-${s}`);
    expect(await first({ family: 'Fairweather', gender: 'male' })).toBe(`robert-${s}`);
    expect(await finder.find({ family: 'Zzyzx', birthDate: '1961-03-14' })).toEqual([]);
  });
});
