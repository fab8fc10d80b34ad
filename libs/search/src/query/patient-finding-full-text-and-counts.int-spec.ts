import type { Condition, Observation, Patient } from 'fhir/r4';
import { openSearchTestContext, type SearchTestContext } from '../testing/search-test-context';
import { Aggregations } from './aggregations.service';
import { FullTextSearch } from './full-text-search.service';
import { PatientFinder } from './patient-finder.service';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

const patient = (
  id: string,
  family: string,
  given: string,
  birthDate: string,
  postcode: string,
  nhsNumber: string,
): Patient => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: NHS, value: nhsNumber }],
  name: [{ family, given: [given] }],
  birthDate,
  address: [{ postalCode: postcode }],
});

describe('patient finding, full-text search and counts over the indexed store', () => {
  let context: SearchTestContext;
  let finder: PatientFinder;
  let fullText: FullTextSearch;
  let aggregations: Aggregations;
  const ids = (matches: { id: string }[]) => matches.map((match) => match.id);

  beforeAll(async () => {
    context = await openSearchTestContext('query');
    finder = new PatientFinder(context.client, context.naming);
    fullText = new FullTextSearch(context.client, context.naming);
    aggregations = new Aggregations(context.client, context.naming);
    const s = context.suffix;
    const patients = [
      patient(`smith-${s}`, 'Smith', 'Catherine', '1980-02-29', 'LS1 4AP', '9434765919'),
      patient(`smyth-${s}`, 'Smyth', 'Kathryn', '1975-06-01', 'M1 1AE', '9434765870'),
      patient(`jones-${s}`, 'Jones', 'Zoë', '1990-01-15', 'SW1A 1AA', '9434765862'),
      patient(`gone-${s}`, 'Smith', 'Catherine', '1980-02-29', 'LS1 4AP', '9434765854'),
    ];
    for (const resource of patients) await context.store.update(resource, { sourceSystem: 'RR8:PAS' });
    const observation = (
      id: string,
      code: string,
      display: string,
      date: string,
      org: string,
    ): Observation => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: [{ system: 'http://snomed.info/sct', code, display }] },
      subject: { reference: `Patient/smith-${s}` },
      performer: [{ reference: `Organization/${org}` }],
      effectiveDateTime: date,
      note: [{ text: 'Patient reports dizziness after the new medication' }],
    });
    await context.store.update(
      observation(`bp1-${s}`, '75367002', 'Blood pressure', '2026-01-10T10:00:00Z', `org-a-${s}`),
    );
    await context.store.update(
      observation(`bp2-${s}`, '75367002', 'Blood pressure', '2026-02-10T10:00:00Z', `org-b-${s}`),
    );
    await context.store.update(
      observation(`hr1-${s}`, '364075005', 'Heart rate', '2026-02-11T10:00:00Z', `org-a-${s}`),
    );
    const condition: Condition = {
      resourceType: 'Condition',
      id: `asthma-${s}`,
      subject: { reference: `Patient/jones-${s}` },
      code: { text: 'Asthma, allergic' },
      text: {
        status: 'generated',
        div: '<div xmlns="http://www.w3.org/1999/xhtml">Wheeze worse in <b>pollen</b> season</div>',
      },
    };
    await context.store.update(condition);
    await context.store.delete('Patient', `gone-${s}`);
    await context.drainOutbox();
  });
  afterAll(() => context.close());

  it('finds a patient through a misspelt or sound-alike name, and ranks the one whose birth date agrees first', async () => {
    const s = context.suffix;
    expect(ids(await finder.find({ name: 'Smyth' }))).toEqual(
      expect.arrayContaining([`smith-${s}`, `smyth-${s}`]),
    );
    expect(ids(await finder.find({ name: 'Kathryn Smith', birthDate: '1980-02-29' }))[0]).toBe(`smith-${s}`);
    expect(ids(await finder.find({ name: 'Catherin Smyth', birthDate: '1975-06-01' }))[0]).toBe(`smyth-${s}`);
    expect(ids(await finder.find({ name: 'zoe jnes' }))[0]).toBe(`jones-${s}`);
  });

  it('finds a patient by NHS number or postcode however they are typed, and never a deleted one', async () => {
    const s = context.suffix;
    expect(ids(await finder.find({ nhsNumber: '943 476 5862' }))[0]).toBe(`jones-${s}`);
    expect(ids(await finder.find({ postcode: 'ls14ap', name: 'smith' }))[0]).toBe(`smith-${s}`);
    expect(ids(await finder.find({ nhsNumber: '9434765854' }))).toEqual([]);
  });

  it('answers _content over coded texts and notes, and _text over the narrative only, folding case and accents', async () => {
    const s = context.suffix;
    expect(
      ids(await fullText.search({ content: 'DIZZINESS medication', resourceTypes: ['Observation'] })).sort(),
    ).toEqual([`bp1-${s}`, `bp2-${s}`, `hr1-${s}`].sort());
    expect(ids(await fullText.search({ content: 'asthma' }))).toEqual([`asthma-${s}`]);
    expect(ids(await fullText.search({ text: 'pollen wheeze' }))).toEqual([`asthma-${s}`]);
    expect(ids(await fullText.search({ text: 'asthma' }))).toEqual([]);
    expect(ids(await fullText.search({ content: 'zoe' }))).toEqual([`jones-${s}`]);
    expect(ids(await fullText.search({ content: 'blood pressure', patient: `smith-${s}` })).sort()).toEqual([
      `bp1-${s}`,
      `bp2-${s}`,
    ]);
  });

  it('counts by code, by month and by organisation', async () => {
    const s = context.suffix;
    expect(await aggregations.count({ by: 'code', resourceTypes: ['Observation'] })).toEqual([
      { key: 'http://snomed.info/sct|75367002', count: 2 },
      { key: 'http://snomed.info/sct|364075005', count: 1 },
    ]);
    expect(
      await aggregations.count({ by: 'period', interval: 'month', resourceTypes: ['Observation'] }),
    ).toEqual([
      { key: '2026-01-01T00:00:00.000Z', count: 1 },
      { key: '2026-02-01T00:00:00.000Z', count: 2 },
    ]);
    expect(await aggregations.count({ by: 'organisation', code: 'http://snomed.info/sct|75367002' })).toEqual(
      expect.arrayContaining([
        { key: `Organization/org-a-${s}`, count: 1 },
        { key: `Organization/org-b-${s}`, count: 1 },
      ]),
    );
    expect(await aggregations.count({ by: 'sourceOrganisation', resourceTypes: ['Patient'] })).toEqual([
      { key: 'RR8', count: 3 },
    ]);
  });
});
