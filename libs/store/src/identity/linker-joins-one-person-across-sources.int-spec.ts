import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ContinuumConfigModule, DatabaseConfig, Section } from '@continuum/config';
import { allocateNhsNumber } from '@continuum/generator';
import { testEnv } from '@continuum/testing';
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

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const verified = {
  url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
  valueCodeableConcept: {
    coding: [
      { system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' },
    ],
  },
};

describe('the identity linker joins one person across sources', () => {
  let app: TestingModule;
  let store: FhirStore;
  let close: () => Promise<void>;
  let linker: IdentityLinker;
  let links: IdentityLinks;

  /**
   * A person as each source records them. The test database keeps every run's people, so each person gets a name,
   * birth date and postcode of its own: near-identical people would (rightly) be left to a reviewer.
   */
  const aPerson = () => {
    const letters = (length: number) =>
      Array.from(
        { length },
        () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
      ).join('');
    const family = letters(4);
    const seed = randomUUID();
    const birthDate = new Date(Date.UTC(1930, 0, 1) + Math.floor(Math.random() * 27_000) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const base: Patient = {
      resourceType: 'Patient',
      name: [{ family, given: [letters(3)] }],
      gender: 'female',
      birthDate,
      address: [
        { postalCode: `LS${1 + Math.floor(Math.random() * 28)} ${Math.floor(Math.random() * 10)}PQ` },
      ],
    };
    return { family, nhsNumber: allocateNhsNumber(seed, 1), twinNhsNumber: allocateNhsNumber(seed, 2), base };
  };
  const save = async (patient: Patient) => (await store.create(patient)).id;

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

  it('GP, acute PAS and mental-health records of one human become one person; a stranger stays apart', async () => {
    const { base, nhsNumber, family } = aPerson();
    const gp = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    const pas = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    // RiO: no NHS number and a typo in the surname
    const rio = await save({ ...base, name: [{ ...base.name![0], family: `${family}e` }] });
    const stranger = await save({
      ...base,
      name: [{ family: `${family}x`, given: ['Tobenna'] }],
      gender: 'male',
      birthDate: '2001-02-03',
      address: [{ postalCode: 'BD7 1DP' }],
    });
    const persons = await linker.linkStored([gp, pas, rio, stranger]);
    expect(persons.get(pas)).toBe(persons.get(gp));
    expect(persons.get(rio)).toBe(persons.get(gp));
    expect(persons.get(stranger)).not.toBe(persons.get(gp));
    expect(await links.patientsOf(persons.get(gp)!)).toEqual([gp, pas, rio].sort());
    // whichever of the two verified records was linked second matched the first with certainty
    const [gpLink, pasLink] = [(await links.linksOf(gp))[0], (await links.linksOf(pas))[0]];
    const decided = gpLink.score === 1 ? gpLink : pasLink;
    expect(decided).toMatchObject({ state: 'MATCH', origin: 'AUTO', score: 1 });
    expect(decided.explanation).toMatchObject({ rules: [{ effect: 'certain' }] });
  });

  it('is replay-safe: linking the same records again changes nothing', async () => {
    const { base, nhsNumber } = aPerson();
    const gp = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    const ooh = await save(base);
    const first = await linker.linkStored([gp, ooh]);
    const events = (await links.history({ patientId: ooh })).length;
    expect(await linker.linkStored([ooh, gp])).toEqual(first);
    expect(await links.history({ patientId: ooh })).toHaveLength(events);
  });

  it('links new and already-linked records in one call: the new join the stored person, the linked stay put', async () => {
    const { base, nhsNumber } = aPerson();
    const gp = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    const [gpPerson] = [...(await linker.linkStored([gp])).values()];
    const gpEvents = (await links.history({ patientId: gp })).length;
    const ooh = await save(base);
    const pas = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    const persons = await linker.linkStored([ooh, gp, pas]);
    expect([persons.get(ooh), persons.get(gp), persons.get(pas)]).toEqual([gpPerson, gpPerson, gpPerson]);
    expect(await links.history({ patientId: gp })).toHaveLength(gpEvents);
    expect(await links.history({ patientId: pas })).toMatchObject([
      { personId: gpPerson, previousState: null, state: 'MATCH', origin: 'AUTO', actor: 'matcher' },
    ]);
  });

  it('never joins two records with different verified NHS numbers (twins)', async () => {
    const { base, nhsNumber, twinNhsNumber: twin } = aPerson();
    const one = await save({
      ...base,
      identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }],
    });
    const other = await save({
      ...base,
      name: [{ ...base.name![0], given: ['Chidinma'] }],
      identifier: [{ system: NHS, value: twin, extension: [verified] }],
    });
    const persons = await linker.linkStored([one, other]);
    expect(persons.get(one)).not.toBe(persons.get(other));
  });

  it('serialises by block: eight feeds delivering the same person at once end with one person', async () => {
    const { base, nhsNumber } = aPerson();
    const ids = await Promise.all(
      Array.from({ length: 8 }, () =>
        save({ ...base, identifier: [{ system: NHS, value: nhsNumber, extension: [verified] }] }),
      ),
    );
    const persons = await Promise.all(ids.map((id) => linker.linkStored([id])));
    expect(new Set(persons.map((person) => [...person.values()][0])).size).toBe(1);
  });
});
