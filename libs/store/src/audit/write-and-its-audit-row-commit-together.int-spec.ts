import type { AuditEvent, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { openTestStore, token } from '../testing/test-store';
import { AuditLog } from './audit.log';

const anEvent = (id: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  id,
  type: { code: 'rest' },
  subtype: [{ code: 'create' }],
  recorded: new Date().toISOString(),
  outcome: '0',
  agent: [{ requestor: true }],
  source: { observer: { display: 'int-test' } },
});

describe('a write and its audit row commit together (WriteContext.inTransaction)', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let close: () => Promise<void>;
  let log: AuditLog;

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
    log = new AuditLog(sql, () => []);
  });
  afterAll(() => close());

  const auditRows = async (id: string) =>
    Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM audit_event WHERE id = ${id}`)[0].n);
  const patient = (): Patient => ({ resourceType: 'Patient', id: `audited-${token()}` });

  it('both are there after a successful write', async () => {
    const eventId = `ae-${token()}`;
    const written = await store.update(patient(), {
      inTransaction: (tx) => log.appendIn(tx, anEvent(eventId)),
    });
    expect(written.status).toBe(201);
    expect(await auditRows(eventId)).toBe(1);
  });

  it('neither is there when the transaction fails after the audit row', async () => {
    const eventId = `ae-${token()}`;
    const resource = patient();
    await expect(
      store.update(resource, {
        inTransaction: async (tx) => {
          await log.appendIn(tx, anEvent(eventId));
          throw new Error('commit refused');
        },
      }),
    ).rejects.toThrow('commit refused');
    expect(await auditRows(eventId)).toBe(0);
    await expect(store.read('Patient', resource.id ?? '')).rejects.toMatchObject({ status: 404 });
  });
});
