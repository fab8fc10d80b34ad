import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { createScratchDatabase, createSql } from '../outbox/testing/scratch-database';
import { AuditChainVerifier } from './audit-chain.verifier';
import { AuditLog } from './audit.log';
import { anAuditEvent, COLUMN_EDITS, patientsOf, verifyWithEdit } from './testing/audit-tampering';

const ROW_ALTERED = 'row does not match its hash (a column was altered)';
/** What `audit:verify` reports for an edit of row 17, by column. */
const REPORTED: Record<string, { seq: string; reason: string }> = {
  seq: { seq: '18', reason: 'row 17 is missing' },
  prev_hash: { seq: '17', reason: "prev_hash does not match the previous row's hash" },
  // read as a version 1 row, whose hash covers the content only: the stored hash is not that one
  chain_version: { seq: '17', reason: 'content does not match its hash (altered)' },
};

describe('the audit trail is append-only and its hash chain detects an edit to any column', () => {
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

  it('concurrent appenders (two logs, group commits) build one gapless, intact chain of version 2 rows', async () => {
    const logs = [new AuditLog(sql, patientsOf), new AuditLog(sql, patientsOf)];
    await Promise.all(Array.from({ length: 60 }, (_, i) => logs[i % 2].record(anAuditEvent(`p${i}`))));
    const [{ count, max }] = await sql<{ count: string; max: string }[]>`
      SELECT count(*) AS count, max(seq) AS max FROM audit_event`;
    expect(count).toBe('60');
    expect(max).toBe('60');
    const [row] = await sql<
      { patient_ids: string[]; subtype: string; agent: string; chain_version: number }[]
    >`
      SELECT patient_ids, subtype, agent, chain_version FROM audit_event WHERE seq = 1`;
    expect(row).toMatchObject({ subtype: 'read', agent: 'dr-1', chain_version: 2 });
    expect(row.patient_ids).toHaveLength(1);
    expect(await new AuditChainVerifier().verify(sql)).toEqual({ checked: 60 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(sql`UPDATE audit_event SET outcome = '4' WHERE seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_event WHERE seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_event`).rejects.toThrow(/append-only/);
  });

  it.each(COLUMN_EDITS)('an edit to %s is reported at its row', async (column, assignment) => {
    const report = await verifyWithEdit(sql, 17, assignment);
    expect(report).toEqual({ checked: 16, broken: REPORTED[column] ?? { seq: '17', reason: ROW_ALTERED } });
  });

  it('the edits above were rolled back: the chain is intact again', async () => {
    expect(await new AuditChainVerifier().verify(sql)).toEqual({ checked: 60 });
  });

  it('audit:verify (the CLI) exits 1 naming the first row altered directly in the database', async () => {
    // a superuser can switch triggers off for a session (replica role): exactly the tampering the chain is for
    await sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE audit_event SET patient_ids = '{}' WHERE seq = 17`;
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
    expect(cli.stdout).toContain(`audit chain BROKEN at seq 17: ${ROW_ALTERED}`);
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
