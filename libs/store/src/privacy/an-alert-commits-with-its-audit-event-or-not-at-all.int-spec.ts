import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import { AuditLog } from '../audit/audit.log';
import { createSql } from '../database/sql.factory';
import { PrivacyAlerts } from './privacy-alerts';

/** Against the real continuum_test: a privacy alert and its AuditEvent are one transaction, raising and closing. */
describe('privacy alerts', () => {
  let sql: postgres.Sql;
  let alerts: PrivacyAlerts;
  const patientId = `pa-${randomUUID()}`;
  const event = (description: string): AuditEvent => ({
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { code: 'rest' },
    subtype: [{ code: 'operation' }],
    recorded: new Date().toISOString(),
    outcome: '0',
    outcomeDesc: description,
    agent: [{ who: { identifier: { value: 'dr-int' } }, requestor: true }],
    source: { observer: { display: 'int' } },
    entity: [{ what: { reference: `Patient/${patientId}` }, role: { code: '1' } }],
  });
  const alert = (id: string) => ({
    id,
    subject: 'dr-int',
    userName: 'Dr Int',
    userRole: 'urgent-care',
    organisation: 'NHS111',
    patientId,
    patientLabel: 'INT, Test',
    reasonCode: 'emergency',
    reasonText: 'Collapsed at the walk-in centre',
  });
  const auditCount = async (id: string) =>
    Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM audit_event WHERE id = ${id}`)[0].n);

  beforeAll(() => {
    sql = createSql({
      url: TEST_DATABASE_URL,
      poolSize: 3,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
    });
    alerts = new PrivacyAlerts(sql, new AuditLog(sql, () => [patientId]));
  });
  afterAll(() => sql.end({ timeout: 5 }));

  it('raising writes the alert and its AuditEvent together; the open list has it first', async () => {
    const id = randomUUID();
    const audit = event('Break-glass');
    await alerts.raise(alert(id), audit);
    expect(await auditCount(audit.id!)).toBe(1);
    const open = await alerts.list('open');
    expect(open.find((found) => found.id === id)).toMatchObject({
      ...alert(id),
      status: 'open',
      auditEventId: audit.id,
    });
    expect(open.map((found) => found.raisedAt.getTime())).toEqual(
      [...open.map((found) => found.raisedAt.getTime())].sort((a, b) => b - a),
    );
  });

  it('an alert that cannot be written leaves no AuditEvent either (one transaction)', async () => {
    const id = randomUUID();
    await alerts.raise(alert(id), event('first'));
    const audit = event('second, same alert id');
    await expect(alerts.raise(alert(id), audit)).rejects.toThrow();
    expect(await auditCount(audit.id!)).toBe(0);
  });

  it('closing is audited once; closing a closed alert writes nothing', async () => {
    const id = randomUUID();
    await alerts.raise(alert(id), event('Break-glass'));
    const closing = event('closed');
    const closed = await alerts.close(id, { by: 'po-int', outcome: 'appropriate', note: null }, closing);
    expect(closed).toMatchObject({ id, status: 'closed', closedBy: 'po-int', outcome: 'appropriate' });
    expect(await auditCount(closing.id!)).toBe(1);
    const again = event('closed again');
    await expect(
      alerts.close(id, { by: 'po-int', outcome: 'inappropriate', note: 'x' }, again),
    ).resolves.toBeUndefined();
    expect(await auditCount(again.id!)).toBe(0);
    await expect(alerts.get(id)).resolves.toMatchObject({ outcome: 'appropriate' });
    await expect(alerts.get('not-a-uuid')).resolves.toBeUndefined();
  });
});
