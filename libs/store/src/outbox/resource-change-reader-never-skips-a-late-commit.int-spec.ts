import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { aPatient } from '../testing/fhir-builders';
import { openTestStore, token } from '../testing/test-store';
import { ResourceChangeReader, type ChangeCursor, type ResourceChange } from './resource-change.reader';

describe('the outbox reader never skips a change committed late', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  const reader = new ResourceChangeReader();

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  async function readAll(
    cursor: ChangeCursor | null,
  ): Promise<{ changes: ResourceChange[]; cursor: ChangeCursor | null }> {
    const changes: ResourceChange[] = [];
    for (;;) {
      const page = await reader.readAfter(sql, cursor, 500);
      if (page.length === 0) return { changes, cursor };
      changes.push(...page);
      cursor = ResourceChangeReader.cursorOf(page[page.length - 1]);
    }
  }

  it('holds back changes behind a running transaction, then delivers the earlier sequence number too', async () => {
    let { cursor } = await readAll(null);
    const slowId = `outbox-slow-${token()}`;
    const fastId = `outbox-fast-${token()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const hasWritten = new Promise<void>((resolve) => (started = resolve));
    // the slow writer takes its outbox seq first but commits after the fast one
    const slow = sql.begin(async (tx) => {
      await tx`INSERT INTO resource_change (resource_type, id, resource_key, version_id, operation, changed_at) VALUES ('Basic', ${slowId}, 0, 1, 'create', now())`;
      started();
      await held;
    });
    await hasWritten;
    await store.update({ ...aPatient(fastId), id: fastId });

    const whileRunning = await readAll(cursor);
    expect(whileRunning.changes.map((change) => change.id)).not.toContain(fastId);

    release();
    await slow;
    const after = await readAll(cursor);
    const ids = after.changes.map((change) => change.id);
    expect(ids).toEqual(expect.arrayContaining([slowId, fastId]));
    expect(ids.indexOf(slowId)).toBeLessThan(ids.indexOf(fastId));
    cursor = after.cursor;
    expect((await readAll(cursor)).changes.map((change) => change.id)).not.toContain(slowId);
  });
});
