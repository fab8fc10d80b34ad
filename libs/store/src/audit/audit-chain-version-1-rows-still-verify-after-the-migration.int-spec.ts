import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import { createDataSource } from '../database/data-source';
import { ChainEveryAuditColumn1796576668285 } from '../migrations/1796576668285-ChainEveryAuditColumn';
import { createScratchDatabase, createSql } from '../outbox/testing/scratch-database';
import { chainHash, GENESIS_HASH } from './audit-chain';
import { AuditChainVerifier } from './audit-chain.verifier';
import { AuditLog } from './audit.log';
import { anAuditEvent, COLUMN_EDITS, patientsOf, verifyWithEdit } from './testing/audit-tampering';

/** How the audit log appended a row before every column was chained (hash over seq, prev_hash and content). */
async function appendAsVersion1(sql: postgres.Sql, event: AuditEvent): Promise<void> {
  await sql.begin(async (tx) => {
    const [head] = await tx<{ seq: string; hash: string }[]>`
      SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`;
    const seq = String(BigInt(head?.seq ?? 0) + 1n);
    const prev = head?.hash ?? GENESIS_HASH;
    await tx`
      INSERT INTO audit_event (seq, id, recorded, patient_ids, agent, subtype, outcome, content, prev_hash, hash)
      SELECT ${seq}::bigint, c->>'id', (c->>'recorded')::timestamptz, ${patientsOf(event)}::text[],
             ${event.agent?.[0]?.who?.identifier?.value ?? null}, c->'subtype'->0->>'code', c->>'outcome', c,
             ${prev}, ${chainHash(seq, prev, event)}
      FROM (SELECT ${JSON.stringify(event)}::text::jsonb AS c) AS e`;
  });
}

const COLUMN_DERIVED = (column: string) =>
  `${column} does not match the content it was derived from (altered)`;
/** What `audit:verify` reports for an edit of version 1 row 3, by column. */
const REPORTED: Record<string, { seq: string; reason: string }> = {
  seq: { seq: '4', reason: 'row 3 is missing' },
  prev_hash: { seq: '3', reason: "prev_hash does not match the previous row's hash" },
  hash: { seq: '3', reason: 'content does not match its hash (altered)' },
  content: { seq: '3', reason: 'content does not match its hash (altered)' },
  // read as a version 2 row, whose hash covers every column
  chain_version: { seq: '3', reason: 'row does not match its hash (a column was altered)' },
};

describe('rows chained before the migration (version 1) still verify, and an edit to any of their columns shows', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let sql: postgres.Sql;

  beforeAll(async () => {
    scratch = await createScratchDatabase(TEST_DATABASE_URL, `continuum_audit_v1_${uniqueSuffix()}`);
    sql = createSql(scratch.config);
    // back to the schema before the migration, a trail written the old way, then the migration itself
    const dataSource = createDataSource(scratch.config);
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      await new ChainEveryAuditColumn1796576668285().down(runner);
      for (let i = 0; i < 5; i++) await appendAsVersion1(sql, anAuditEvent(`legacy-${i}`));
      await new ChainEveryAuditColumn1796576668285().up(runner);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await scratch.drop();
  });

  it('the migrated trail verifies, and new version 2 rows chain on from its head', async () => {
    const log = new AuditLog(sql, patientsOf);
    for (let i = 0; i < 3; i++) await log.record(anAuditEvent(`new-${i}`));
    const versions = await sql<
      { chain_version: number }[]
    >`SELECT chain_version FROM audit_event ORDER BY seq`;
    expect(versions.map((row) => row.chain_version)).toEqual([1, 1, 1, 1, 1, 2, 2, 2]);
    expect(await new AuditChainVerifier().verify(sql)).toEqual({ checked: 8 });
  });

  it.each(COLUMN_EDITS)(
    'an edit to %s of a version 1 row is reported at its row',
    async (column, assignment) => {
      const report = await verifyWithEdit(sql, 3, assignment);
      expect(report).toEqual({
        checked: 2,
        broken: REPORTED[column] ?? { seq: '3', reason: COLUMN_DERIVED(column) },
      });
    },
  );

  it('the edits above were rolled back: the chain is intact again', async () => {
    expect(await new AuditChainVerifier().verify(sql)).toEqual({ checked: 8 });
  });
});
