import type postgres from 'postgres';
import { openTestStore } from '../testing/test-store';
import { AuditLog } from './audit.log';
import { anAuditEvent } from './testing/audit-tampering';

describe('AuditLog: events recorded one after another, each awaited, are each written without waiting', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  beforeAll(async () => ({ sql, close } = await openTestStore()));
  afterAll(() => close());

  it('a record made as the previous batch resolves starts its own batch (it used to wait for the next event)', async () => {
    const log = new AuditLog(sql, () => []);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const event = anAuditEvent(`sequential-${i}`);
      ids.push(event.id ?? '');
      await log.record(event); // a timeout here is the bug
    }
    const [{ n }] = await sql<
      { n: string }[]
    >`SELECT count(*) AS n FROM audit_event WHERE id = ANY(${ids}::text[])`;
    expect(Number(n)).toBe(5);
  });
});
