import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { createSql } from '../database/sql.factory';
import type { FhirStore } from '../fhir-store';
import { createFhirStore } from '../fhir-store.factory';
import { OutboxRepository, type OutboxChange } from './outbox.repository';
import { createScratchDatabase } from './testing/scratch-database';

describe('the outbox relay claims every committed change exactly once', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let outbox: OutboxRepository;
  let drop: () => Promise<void>;
  const suffix = uniqueSuffix();

  beforeAll(async () => {
    const database = await createScratchDatabase(TEST_DATABASE_URL, `continuum_test_outbox_${suffix}`);
    drop = database.drop;
    sql = createSql(database.config, { applicationName: 'test-outbox' });
    store = createFhirStore(sql);
    outbox = new OutboxRepository(sql);
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await drop();
  });

  const aPatient = (id: string) => ({ resourceType: 'Patient' as const, id, name: [{ family: 'Outbox' }] });
  const drain = async (publish: (changes: OutboxChange[]) => Promise<void>) => {
    let total = 0;
    for (let relayed = -1; relayed !== 0; total += relayed) relayed = await outbox.relayBatch(7, publish);
    return total;
  };

  it('keeps the rows when publishing fails, and relays them once it succeeds', async () => {
    await store.update(aPatient(`kept-${suffix}`));
    await expect(
      outbox.relayBatch(10, async () => {
        throw new Error('broker unavailable');
      }),
    ).rejects.toThrow('broker unavailable');
    expect((await outbox.backlog()).rows).toBe(1);

    const published: OutboxChange[] = [];
    expect(await drain(async (changes) => void published.push(...changes))).toBe(1);
    expect(published).toEqual([
      expect.objectContaining({
        resourceType: 'Patient',
        id: `kept-${suffix}`,
        versionId: 1,
        operation: 'create',
      }),
    ]);
    expect((await outbox.backlog()).rows).toBe(0);
  });

  it('lets concurrent relays share the rows without publishing any twice', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `shared-${i}-${suffix}`);
    for (const id of ids) await store.update(aPatient(id));
    const seen: string[] = [];
    const slowPublish = async (changes: OutboxChange[]) => {
      seen.push(...changes.map((change) => change.id));
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const totals = await Promise.all([drain(slowPublish), drain(slowPublish), drain(slowPublish)]);
    expect(totals.reduce((sum, total) => sum + total, 0)).toBe(40);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('relays a change whose transaction took its sequence number early but committed late', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const hasWritten = new Promise<void>((resolve) => (written = resolve));
    const slow = sql.begin(async (tx) => {
      await tx`INSERT INTO resource_change (resource_type, id, resource_key, version_id, operation, changed_at)
               VALUES ('Basic', ${`slow-${suffix}`}, 0, 1, 'create', now())`;
      written();
      await held;
    });
    await hasWritten;
    await store.update(aPatient(`fast-${suffix}`));

    const first: string[] = [];
    await drain(async (changes) => void first.push(...changes.map((change) => change.id)));
    expect(first).toEqual([`fast-${suffix}`]);

    release();
    await slow;
    const second: string[] = [];
    await drain(async (changes) => void second.push(...changes.map((change) => change.id)));
    expect(second).toEqual([`slow-${suffix}`]);
  });
});
