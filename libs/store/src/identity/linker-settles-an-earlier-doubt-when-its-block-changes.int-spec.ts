import 'reflect-metadata';
import { ContinuumConfigModule, DatabaseConfig, Section } from '@continuum/config';
import { aPatient } from '@continuum/fhir/identity/testing/patients';
import { aValidNhsNumber, testEnv } from '@continuum/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { ValidateNested } from 'class-validator';
import type { Patient } from 'fhir/r4';
import type { FhirStore } from '../fhir-store';
import { openTestStore } from '../testing/test-store';
import { IdentityLinks } from './identity-links.repository';
import { IdentityStoreModule } from './identity-store.module';
import { IdentityLinker } from './identity.linker';

class IdentityOnlyConfig {
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
}

/**
 * Linking one record at a time makes early decisions on what was stored then. When a record changes (or arrives)
 * and joins a person, the block's records the matcher had left POSSIBLE_MATCH with that person are scored again.
 */
describe('the identity linker settles an earlier doubt when its block changes', () => {
  let app: TestingModule;
  let store: FhirStore;
  let close: () => Promise<void>;
  let linker: IdentityLinker;
  let links: IdentityLinks;
  const letters = (length: number) =>
    Array.from(
      { length },
      () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
    ).join('');

  beforeAll(async () => {
    ({ store, close } = await openTestStore());
    app = await Test.createTestingModule({
      imports: [ContinuumConfigModule.forRoot(IdentityOnlyConfig, testEnv), IdentityStoreModule.forRoot()],
    }).compile();
    await app.init();
    linker = app.get(IdentityLinker);
    links = app.get(IdentityLinks);
  });
  afterAll(async () => {
    await app.close();
    await close();
  });

  it('a record matching two persons waits for review, and joins one as soon as the other is corrected', async () => {
    const person = { family: letters(4), given: [letters(3)], birthDate: '1977-04-19', postcode: 'WF1 2PQ' };
    const save = async (patient: Patient) => (await store.create(patient)).id!;
    // two records with different verified NHS numbers (never linked to each other) and identical demographics
    const first = await save(aPatient({ ...person, nhs: aValidNhsNumber() }));
    const second = await save(aPatient({ ...person, nhs: aValidNhsNumber() }));
    const unnumbered = await save(aPatient(person));
    for (const id of [first, second, unnumbered]) await linker.linkStored([id]);
    expect(await links.personOf(second)).not.toBe(await links.personOf(first));
    const states = async () =>
      (await links.linksOf(unnumbered))
        .filter((link) => link.state === 'POSSIBLE_MATCH')
        .map((link) => link.personId);
    expect((await states()).sort()).toEqual(
      [await links.personOf(first), await links.personOf(second)].sort(),
    );

    // the second source corrects its record's given name: it is someone else, and the doubt is settled
    const stored = await store.read<Patient>('Patient', second);
    await store.update({ ...stored, name: [{ ...stored.name![0], given: [letters(3)] }] });
    await linker.linkStored([second]);
    expect(await links.personOf(unnumbered)).toBe(await links.personOf(first));
    const events = await links.history({ patientId: unnumbered });
    expect(events.at(-1)).toMatchObject({ origin: 'AUTO', actor: 'matcher' });
  });
});
