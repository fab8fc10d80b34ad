import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import { createScratchDatabase, createSql } from '../outbox/testing/scratch-database';
import { AuditChainVerifier } from './audit-chain.verifier';
import { AuditLog } from './audit.log';

const anEvent = (patient: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: `ae-${uniqueSuffix()}`,
  type: { code: 'rest' },
  subtype: [{ code: 'read' }],
  recorded: new Date().toISOString(),
  outcome: '0',
  agent: [{ who: { identifier: { value: 'dr-1' } }, requestor: true }],
  source: { observer: { display: 'int-test' } },
  entity: [{ what: { reference: `Patient/${patient}` }, role: { code: '1' } }],
});
const patientsOf = (event: AuditEvent) =>
  (event.entity ?? []).flatMap((e) => (e.what?.reference ? [e.what.reference.replace('Patient/', '')] : []));

describe('the audit trail is append-only and its hash chain detects tampering', () => {
  // its own database: tampering with the shared test database's chain would break everyone's verification
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let sql: postgres.Sql;

  beforeAll(async () => {
    scratch = await createScratchDatabase(TEST_DATABASE_URL, `continuum_audit_${uniqueSuffix()}`);
    sql = createSql(scratch.config);
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await scratch.drop();
  });

  it('concurrent appenders (two logs, group commits) build one gapless, intact chain', async () => {
    const logs = [new AuditLog(sql, patientsOf), new AuditLog(sql, patientsOf)];
    await Promise.all(Array.from({ length: 60 }, (_, i) => logs[i % 2].record(anEvent(`p${i}`))));
    const [{ count, max }] = await sql<{ count: string; max: string }[]>`
      SELECT count(*) AS count, max(seq) AS max FROM audit_event`;
    expect(count).toBe('60');
    expect(max).toBe('60');
    const [row] = await sql<{ patient_ids: string[]; subtype: string; agent: string }[]>`
      SELECT patient_ids, subtype, agent FROM audit_event WHERE seq = 1`;
    expect(row.subtype).toBe('read');
    expect(row.agent).toBe('dr-1');
    expect(await new AuditChainVerifier().verify(sql)).toEqual({ checked: 60 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(sql`UPDATE audit_event SET outcome = '4' WHERE seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_event WHERE seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_event`).rejects.toThrow(/append-only/);
  });

  it('audit:verify reports the first row altered directly in the database', async () => {
    // a superuser can switch triggers off for a session (replica role): exactly the tampering the chain is for
    await sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE audit_event SET content = jsonb_set(content, '{outcome}', '"4"') WHERE seq = 17`;
    });
    expect((await new AuditChainVerifier().verify(sql)).broken).toEqual({
      seq: '17',
      reason: 'content does not match its hash (altered)',
    });
    const cli = await promisify(execFile)(
      'node',
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/cli/src/main.ts',
        'audit:verify',
      ],
      { cwd: resolve(__dirname, '../../../..'), env: { ...process.env, DATABASE_URL: scratch.config.url } },
    ).catch((error: { code: number; stdout: string }) => error);
    expect('code' in cli ? cli.code : 0).toBe(1);
    expect(cli.stdout).toContain('audit chain BROKEN at seq 17');
  });

  it('a deleted row shows as a gap', async () => {
    await sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`DELETE FROM audit_event WHERE seq = 5`;
    });
    expect((await new AuditChainVerifier().verify(sql)).broken).toEqual({
      seq: '6',
      reason: 'row 5 is missing',
    });
  });
});
