import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ContinuumConfigModule, DatabaseConfig, Section } from '@continuum/config';
import { testEnv } from '@continuum/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { ValidateNested } from 'class-validator';
import { openTestStore } from '../testing/test-store';
import { IdentityLinks } from './identity-links.repository';
import { IdentityStoreModule } from './identity-store.module';
import { PersonQueries } from './person.queries';

class IdentityOnlyConfig {
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
}

describe('identity links: one person per human, manual decisions stick, every change in the history', () => {
  let app: TestingModule;
  let links: IdentityLinks;
  const patient = () => `id-test-${randomUUID()}`;

  beforeAll(async () => {
    await (await openTestStore()).close(); // migrates when the global setup did not
    app = await Test.createTestingModule({
      imports: [ContinuumConfigModule.forRoot(IdentityOnlyConfig, testEnv), IdentityStoreModule.forRoot()],
    }).compile();
    await app.init();
    links = app.get(IdentityLinks);
  });
  afterAll(() => app.close());

  it('makes an unmatched patient a person of its own, and a replay changes nothing', async () => {
    const first = patient();
    const person = await links.applyAutomatic(first, []);
    expect(await links.applyAutomatic(first, [])).toBe(person);
    expect(await links.personOf(first)).toBe(person);
    expect(await links.history({ patientId: first })).toHaveLength(1);
  });

  it('joins a matched patient to the person, and records the score and explanation', async () => {
    const [gp, pas] = [patient(), patient()];
    const person = (await links.applyAutomatic(gp, []))!;
    await links.applyAutomatic(pas, [
      { personId: person, state: 'MATCH', score: 0.9993, explanation: { nhsNumber: 12.1 } },
    ]);
    expect(await links.patientsOf(person)).toEqual([gp, pas].sort());
    const [link] = await links.linksOf(pas);
    expect(link).toMatchObject({
      state: 'MATCH',
      origin: 'AUTO',
      score: 0.9993,
      explanation: { nhsNumber: 12.1 },
    });
  });

  it('never lets the matcher overwrite an operator’s unlink', async () => {
    const [gp, rio] = [patient(), patient()];
    const person = (await links.applyAutomatic(gp, []))!;
    await links.applyAutomatic(rio, [{ personId: person, state: 'MATCH', score: 0.97 }]);
    const own = await links.unlink(rio, person, { actor: 'operator-1', reason: 'different people (twins)' });
    expect(own).not.toBe(person);
    // the matcher proposes the same link again: the manual decision stands
    expect(await links.applyAutomatic(rio, [{ personId: person, state: 'MATCH', score: 0.99 }])).toBe(own);
    expect(await links.patientsOf(person)).toEqual([gp]);
    const history = await links.history({ patientId: rio });
    expect(history.map((event) => [event.previousState, event.state, event.origin, event.actor])).toEqual([
      [null, 'MATCH', 'AUTO', 'matcher'],
      ['MATCH', 'NO_MATCH', 'MANUAL', 'operator-1'],
      [null, 'MATCH', 'MANUAL', 'operator-1'],
    ]);
    expect(history[1].reason).toBe('different people (twins)');
  });

  it('keeps possible matches for review until an operator decides', async () => {
    const [gp, adastra] = [patient(), patient()];
    const person = (await links.applyAutomatic(gp, []))!;
    await links.applyAutomatic(adastra, [{ personId: person, state: 'POSSIBLE_MATCH', score: 0.6 }]);
    expect(await links.personOf(adastra)).not.toBe(person); // a person of its own meanwhile
    // (the shared test database holds other runs' reviews, so the queue is checked through this patient's links)
    const queued = (await links.linksOf(adastra)).filter((link) => link.state === 'POSSIBLE_MATCH');
    expect(queued).toMatchObject([{ personId: person, state: 'POSSIBLE_MATCH' }]);
    const oldestFirst = await links.reviewQueue(5);
    expect(oldestFirst.map((link) => link.updatedAt.getTime())).toEqual(
      oldestFirst.map((link) => link.updatedAt.getTime()).sort((a, b) => a - b),
    );
    await links.link(adastra, person, 'MATCH', { actor: 'reviewer-1', reason: 'confirmed by phone' });
    expect(await links.personOf(adastra)).toBe(person);
    expect((await links.linksOf(adastra)).some((link) => link.state === 'POSSIBLE_MATCH')).toBe(false);
  });

  it('serialises concurrent decisions about one patient: eight at once end with one person', async () => {
    const feed = patient();
    const persons = await Promise.all(Array.from({ length: 8 }, () => links.applyAutomatic(feed, [])));
    expect(new Set(persons).size).toBe(1);
    expect((await links.linksOf(feed)).filter((link) => link.state === 'MATCH')).toHaveLength(1);
  });
});

describe('person queries: the hot read that makes every read follow the person', () => {
  it('answers every patient of the person for each patient asked, and a stranger alone', async () => {
    const { sql, close } = await openTestStore();
    const module = await Test.createTestingModule({
      imports: [ContinuumConfigModule.forRoot(IdentityOnlyConfig, testEnv), IdentityStoreModule.forRoot()],
    }).compile();
    await module.init();
    try {
      const links = module.get(IdentityLinks);
      const [gp, pas, rio, stranger] = [0, 1, 2, 3].map(() => `pq-${randomUUID()}`);
      const person = (await links.applyAutomatic(gp, []))!;
      await links.applyAutomatic(pas, [{ personId: person, state: 'MATCH', score: 0.999 }]);
      await links.applyAutomatic(rio, [{ personId: person, state: 'POSSIBLE_MATCH', score: 0.5 }]);
      const queries = new PersonQueries(sql);
      const same = await queries.samePerson([gp, pas, stranger]);
      expect(same.get(gp)).toEqual([gp, pas].sort());
      expect(same.get(pas)).toEqual([gp, pas].sort());
      expect(same.get(stranger)).toEqual([stranger]);
      expect(await queries.expand([pas])).toEqual([gp, pas].sort()); // a possible match is not the person
    } finally {
      await module.close();
      await close();
    }
  });
});
