import { BIRTH_PLACE_EXTENSION, REDACTED_TAG, redactLocating } from '@continuum/fhir';
import type { Patient, RelatedPerson, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { openTestStore } from '../testing/test-store';
import { redactedContent } from './restricted-person.sql';
import { aLocatablePatient } from './testing/restricted-people';

/**
 * Compiled views compute their columns from content in SQL, so the removal of a restricted person's locating
 * details exists twice: `redactLocating` (libs/fhir) and `redactedContent` (SQL). They must agree on every shape:
 * elements present or not, the birthplace extension alone or among others, the REDACTED tag already there or not,
 * types with nothing to remove.
 */
describe('redactedContent in SQL removes what redactLocating removes', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ sql, close } = await openTestStore());
  });
  afterAll(() => close());

  const otherExtension = { url: 'https://example.org/ethnicity', valueString: 'x' };
  const birthPlace = { url: BIRTH_PLACE_EXTENSION, valueAddress: { city: 'Leeds' } };
  const cases: [string, Resource][] = [
    ['a Patient with every locating detail', aLocatablePatient('p1', { restricted: true })],
    [
      'a Patient with the birthplace among other extensions and a narrative',
      {
        ...aLocatablePatient('p2'),
        text: { status: 'generated', div: '<div>1 Safe House Lane</div>' },
        extension: [otherExtension, birthPlace],
      } as Resource,
    ],
    [
      'a Patient whose only extension is the birthplace',
      { resourceType: 'Patient', id: 'p3', extension: [birthPlace] } as Patient,
    ],
    [
      'a Patient with nothing locating',
      { resourceType: 'Patient', id: 'p4', name: [{ family: 'Plain' }] } as Patient,
    ],
    [
      'a Patient already tagged REDACTED, with other tags',
      {
        resourceType: 'Patient',
        id: 'p5',
        meta: { tag: [{ system: 'https://example.org/tags', code: 'x' }, REDACTED_TAG] },
        telecom: [{ system: 'phone', value: '1' }],
      } as Patient,
    ],
    [
      'a RelatedPerson',
      {
        resourceType: 'RelatedPerson',
        id: 'r1',
        patient: { reference: 'Patient/p1' },
        address: [{ city: 'Leeds' }],
        extension: [birthPlace],
      } as RelatedPerson,
    ],
    [
      'an Observation (nothing to remove)',
      { resourceType: 'Observation', id: 'o1', status: 'final', code: {} } as Resource,
    ],
  ];

  it.each(cases)('%s', async (_name, resource) => {
    const [row] = await sql<{ redacted: Resource; kept: Resource }[]>`
      SELECT ${redactedContent(sql, 'r', sql`true`)} AS redacted, ${redactedContent(sql, 'r', sql`false`)} AS kept
      FROM (SELECT ${resource.resourceType}::text AS resource_type,
                   ${sql.json(resource as postgres.JSONValue)}::jsonb AS content) r`;
    expect(row.redacted).toEqual(redactLocating(resource));
    expect(row.kept).toEqual(resource);
  });
});
