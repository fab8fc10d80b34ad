import { once } from 'node:events';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';

/**
 * Writes Patients straight into the store's `resource` table with COPY, as current first versions, each its own
 * compartment. Only for benchmarks of what reads that table alone (identity linking, `$match`) at a size the
 * validated store path would take an hour to prepare on this machine: it is not a store write (no validation,
 * history, search-index rows or outbox), and its rate is never reported as the store's (the `store` suite's).
 */
export async function copyPatients(sql: postgres.Sql, patients: readonly Patient[]): Promise<void> {
  if (!patients.length) return;
  const keys = await sql<{ key: string }[]>`
    SELECT nextval('resource_key_seq')::text AS key FROM generate_series(1, ${patients.length})`;
  const now = new Date().toISOString();
  const writable = await sql`
    COPY resource (resource_type, id, resource_key, version_id, last_updated, source_system, compartments, content)
    FROM STDIN`.writable();
  const done = new Promise<void>((resolve, reject) => {
    writable.on('error', reject);
    writable.on('finish', () => resolve());
  });
  for (const [i, patient] of patients.entries()) {
    // COPY text format: backslash is the escape character; JSON text holds no raw tab or newline
    const json = JSON.stringify(patient).replace(/\\/g, '\\\\');
    const source = patient.meta?.source ?? '\\N';
    const line = `Patient\t${patient.id}\t${keys[i].key}\t1\t${now}\t${source}\t{${patient.id}}\t${json}\n`;
    if (!writable.write(line)) await once(writable, 'drain');
  }
  writable.end();
  await done;
}
