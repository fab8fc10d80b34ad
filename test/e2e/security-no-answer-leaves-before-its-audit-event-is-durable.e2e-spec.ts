import { testTokens } from '@continuum/security/testing/test-tokens';
import { createSql } from '@continuum/store';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Bundle, OperationOutcome, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

/**
 * Issue #15's read path: a read's AuditEvent is group-committed while the answer is serialised and compressed, and
 * the answer gate holds the bytes until it is durable. Through the real API: the event of every answered read is in
 * the trail the moment the answer arrives; and when the audit write fails, the client gets a 503 OperationOutcome
 * and none of the data (a trigger on audit_event refuses the events naming one patient).
 */
describe('security: no answer leaves before its AuditEvent is durable', () => {
  const tokens = testTokens();
  const family = `Gated${uniqueSuffix()}`;
  const trigger = `refuse_audit_${uniqueSuffix().replace(/\W/g, '_')}`;
  let api: RunningApi;
  let http: ReturnType<typeof fhirHttp>;
  let sql: postgres.Sql;
  let patient: string;

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    http = fhirHttp(api.base, {
      authorization: `Bearer ${await tokens.issue({ scope: 'system/*.cruds', clientId: 'gate-e2e' })}`,
    });
    sql = createSql({ url: TEST_DATABASE_URL, poolSize: 1, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000 });
    const created = await http<Patient>('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family }] } });
    patient = created.body?.id as string;
  });
  afterAll(async () => {
    await sql.unsafe(`DROP TRIGGER IF EXISTS ${trigger} ON audit_event`);
    await sql.unsafe(`DROP FUNCTION IF EXISTS ${trigger}()`);
    await sql.end();
    await api.close();
  });

  const eventsNaming = async (id: string, since: Date) => {
    const [{ count }] = await sql<{ count: number }[]>`
      SELECT count(*)::int AS count FROM audit_event
      WHERE patient_ids @> ARRAY[${id}]::text[] AND subtype = 'read' AND recorded >= ${since}`;
    return count;
  };

  it('has the event of every answered read in the trail as the answer arrives', async () => {
    for (let n = 1; n <= 5; n++) {
      const since = new Date(Date.now() - 1);
      const read = await http<Patient>('GET', `Patient/${patient}`);
      expect(read.status).toBe(200);
      expect(await eventsNaming(patient, since)).toBe(1); // read straight after the answer: no waiting
    }
    // a larger answer, compressed: its event is there too
    const since = new Date(Date.now() - 1);
    const everything = await http<Bundle>('GET', `Patient/${patient}/$everything`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(everything.status).toBe(200);
    const [{ count }] = await sql<{ count: number }[]>`
      SELECT count(*)::int AS count FROM audit_event WHERE patient_ids @> ARRAY[${patient}]::text[] AND recorded >= ${since}`;
    expect(count).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 with none of the data when the read cannot be audited', async () => {
    await sql.unsafe(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit refused for the test'; END $$`);
    await sql.unsafe(`
      CREATE TRIGGER ${trigger} BEFORE INSERT ON audit_event FOR EACH ROW
      WHEN (NEW.patient_ids @> ARRAY['${patient}']::text[]) EXECUTE FUNCTION ${trigger}()`);
    try {
      const refused = await http<OperationOutcome>('GET', `Patient/${patient}`);
      expect(refused.status).toBe(503);
      expect(JSON.stringify(refused.body)).not.toContain(family);
      expect(refused.body?.resourceType).toBe('OperationOutcome');
      expect(refused.headers.get('etag')).toBeNull();
    } finally {
      await sql.unsafe(`DROP TRIGGER ${trigger} ON audit_event`);
    }
    const again = await http<Patient>('GET', `Patient/${patient}`);
    expect(again.status).toBe(200);
    expect(again.body?.name?.[0].family).toBe(family);
  });
});
