import type { SearchDocument } from '@continuum/fhir';
import {
  aLocatablePatient,
  linkAsOnePerson,
  RESTRICTED_META,
} from '@continuum/store/restricted/testing/restricted-people';
import { PatientFinder } from '../query/patient-finder.service';
import { openSearchTestContext, type SearchTestContext } from '../testing/search-test-context';

describe('restricted (S-flag) people in Elasticsearch', () => {
  let context: SearchTestContext;
  let finder: PatientFinder;
  let s: string;
  const documentOf = async (id: string) =>
    (
      await context.client.get<SearchDocument>({
        index: context.naming.readAlias('patient'),
        id: `Patient/${id}`,
      })
    )._source!;
  const found = async (query: Parameters<PatientFinder['find']>[0]) =>
    (await finder.find(query)).map((match) => match.id).sort();

  beforeAll(async () => {
    context = await openSearchTestContext('restricted');
    finder = new PatientFinder(context.client, context.naming);
    s = context.suffix;
  });
  afterAll(() => context.close());

  it('indexes a person’s GP record without address, postcode, telecom or GP once a PDS record of theirs is restricted, through the outbox', async () => {
    const gp = `gp-${s}`;
    const pds = `pds-${s}`;
    await context.store.update(aLocatablePatient(gp, { family: `Quill${s}` }), {
      sourceSystem: 'Y12345:EMIS-Web',
    });
    await context.store.update(aLocatablePatient(pds, { family: `Quill${s}` }), { sourceSystem: 'X26:PDS' });
    await linkAsOnePerson(context.sql, [gp, pds]);
    await context.drainOutbox();
    expect(await documentOf(gp)).toMatchObject({ postcode: ['LS14AP'], restricted: false });
    expect(await found({ family: `Quill${s}`, postcode: 'LS1 4AP' })).toEqual([gp, pds].sort());

    // PDS flags the patient: only the PDS record changes, yet the GP record's document loses its locating details
    await context.store.update({ ...aLocatablePatient(pds, { family: `Quill${s}` }), meta: RESTRICTED_META });
    await context.drainOutbox();
    for (const id of [gp, pds]) {
      const document = await documentOf(id);
      expect(document).toMatchObject({ restricted: true, family: [`quill${s}`.toLowerCase()] });
      expect(document).not.toHaveProperty('postcode');
      expect(document).not.toHaveProperty('postcodeOutward');
      expect(document).not.toHaveProperty('references');
      expect(document.text ?? '').not.toMatch(/leeds|safe house|0113/i);
    }
    expect(await found({ family: `Quill${s}`, postcode: 'LS1 4AP' })).toEqual([]);
    expect(await found({ family: `Quill${s}`, birthDate: '1970-05-05' })).toEqual([gp, pds].sort());

    // the flag lifted: the person's records are indexed with their details again
    await context.store.update(aLocatablePatient(pds, { family: `Quill${s}` }));
    await context.drainOutbox();
    expect(await documentOf(gp)).toMatchObject({ postcode: ['LS14AP'], restricted: false });
  });

  it('re-indexes when a link joins a restricted record to a person, even while Elasticsearch is not being written', async () => {
    const gp = `linked-gp-${s}`;
    const pds = `linked-pds-${s}`;
    await context.store.update(aLocatablePatient(gp), { sourceSystem: 'Y12345:EMIS-Web' });
    await context.store.update(aLocatablePatient(pds, { restricted: true }), { sourceSystem: 'X26:PDS' });
    await context.drainOutbox();
    expect(await documentOf(gp)).toMatchObject({ postcode: ['LS14AP'] });
    expect(await documentOf(pds)).not.toHaveProperty('postcode');

    await linkAsOnePerson(context.sql, [gp, pds]); // committed before anything is indexed: the outbox holds it
    const [{ waiting }] = await context.sql<{ waiting: string }[]>`
      SELECT count(*) AS waiting FROM resource_change WHERE id = ${gp}`;
    expect(Number(waiting)).toBe(1);
    await context.drainOutbox();
    expect(await documentOf(gp)).not.toHaveProperty('postcode');
  });
});
