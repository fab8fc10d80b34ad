import type { Patient } from 'fhir/r4';
import type { FhirStore } from './fhir-store';
import { aPatient, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { failure, openTestStore, token } from './testing/test-store';

const byIdentifier = (value: string) =>
  `identifier=${encodeURIComponent(`${TEST_IDENTIFIER_SYSTEM}|${value}`)}`;

describe('conditional create, update, delete and JSON Patch', () => {
  let store: FhirStore;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, close } = await openTestStore()));
  afterAll(() => close());

  it('conditional create: 0 matches creates, 1 returns the existing, more than 1 is a 412', async () => {
    const value = `cc-${token()}`;
    const first = await store.create(aPatient(value), {}, { ifNoneExist: byIdentifier(value) });
    expect(first.outcome).toBe('created');
    const again = await store.create(aPatient(value), {}, { ifNoneExist: `Patient?${byIdentifier(value)}` });
    expect(again).toMatchObject({ outcome: 'existing', status: 200, id: first.id, versionId: 1 });
    await store.create(aPatient(value));
    expect(
      (await failure(store.create(aPatient(value), {}, { ifNoneExist: byIdentifier(value) }))).status,
    ).toBe(412);
  });

  it('refuses criteria with an unknown parameter rather than matching everything', async () => {
    expect((await failure(store.create(aPatient('x'), {}, { ifNoneExist: 'no-such-param=1' }))).status).toBe(
      400,
    );
  });

  it('conditional update: creates on no match, updates the one match, 412 on several', async () => {
    const value = `cu-${token()}`;
    const created = await store.conditionalUpdate(aPatient(value), byIdentifier(value));
    expect(created).toMatchObject({ outcome: 'created', versionId: 1 });
    const updated = await store.conditionalUpdate(aPatient(value, { gender: 'female' }), byIdentifier(value));
    expect(updated).toMatchObject({ outcome: 'updated', id: created.id, versionId: 2 });
    expect(
      (
        await failure(
          store.conditionalUpdate({ ...aPatient(value), id: 'someone-else' }, byIdentifier(value)),
        )
      ).status,
    ).toBe(400);
    await store.create(aPatient(value));
    expect((await failure(store.conditionalUpdate(aPatient(value), byIdentifier(value)))).status).toBe(412);
  });

  it('conditional delete: deletes the one match, changes nothing on none, 412 on several', async () => {
    const value = `cd-${token()}`;
    expect(await store.conditionalDelete('Patient', byIdentifier(value))).toMatchObject({
      outcome: 'not-found',
    });
    const created = await store.create(aPatient(value));
    expect(await store.conditionalDelete('Patient', byIdentifier(value))).toMatchObject({
      outcome: 'deleted',
      id: created.id,
      versionId: 2,
    });
    expect((await failure(store.read('Patient', created.id))).status).toBe(410);
    // the deleted one no longer matches: a conditional create makes a new resource
    const recreated = await store.create(aPatient(value), {}, { ifNoneExist: byIdentifier(value) });
    expect(recreated).toMatchObject({ outcome: 'created' });
    expect(recreated.id).not.toBe(created.id);
    await store.create(aPatient(value));
    expect((await failure(store.conditionalDelete('Patient', byIdentifier(value)))).status).toBe(412);
  });

  it('JSON Patch: applies, versions, honours If-Match and test ops, validates the result', async () => {
    const created = await store.create(aPatient(`jp-${token()}`));
    const patched = await store.patch(
      'Patient',
      created.id,
      [
        { op: 'test', path: '/gender', value: 'male' },
        { op: 'replace', path: '/gender', value: 'female' },
        { op: 'add', path: '/active', value: true },
      ],
      {},
      { ifMatch: 'W/"1"' },
    );
    expect(patched).toMatchObject({ outcome: 'updated', versionId: 2 });
    expect(await store.read<Patient>('Patient', created.id)).toMatchObject({
      gender: 'female',
      active: true,
    });
    expect(
      (await failure(store.patch('Patient', created.id, [{ op: 'test', path: '/gender', value: 'male' }])))
        .status,
    ).toBe(422);
    expect(
      (await failure(store.patch('Patient', created.id, [{ op: 'replace', path: '/gender', value: 'x' }])))
        .status,
    ).toBe(422);
    expect(
      (await failure(store.patch('Patient', created.id, [{ op: 'replace', path: '/id', value: 'other' }])))
        .status,
    ).toBe(422);
    expect(
      (
        await failure(
          store.patch(
            'Patient',
            created.id,
            [{ op: 'add', path: '/active', value: false }],
            {},
            { ifMatch: '1' },
          ),
        )
      ).status,
    ).toBe(412);
    expect(
      (await failure(store.patch('Patient', created.id, [{ op: 'bogus', path: '/x' } as never]))).status,
    ).toBe(400);
    expect((await failure(store.patch('Patient', `missing-${token()}`, []))).status).toBe(404);
    expect((await store.read('Patient', created.id)).meta?.versionId).toBe('2');
  });

  it('passes the official JSON Patch conformance cases that apply to a resource', async () => {
    const created = await store.create(aPatient(`jpc-${token()}`, { birthDate: '1974-12-25' }));
    const result = await store.patch('Patient', created.id, [
      { op: 'copy', from: '/birthDate', path: '/deceasedDateTime' },
      { op: 'move', from: '/deceasedDateTime', path: '/deceasedDateTime' },
      { op: 'remove', path: '/deceasedDateTime' },
    ]);
    expect(result.versionId).toBe(2);
  });
});
