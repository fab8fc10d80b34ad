import type postgres from 'postgres';
import { mappingTransientErrors } from '../database/postgres-errors';
import type { Queryable } from '../store.types';
import { personRestricted } from './restricted-person.sql';

/**
 * Which patients are restricted (S-flag) people, as the secured door asks once per response: a patient is when any
 * record of its person carries the flag (restricted-person.sql.ts). One statement for a whole page.
 */
export class RestrictedPersonQueries {
  constructor(private readonly sql: postgres.Sql) {}

  async restrictedAmong(patientIds: readonly string[], db: Queryable = this.sql): Promise<Set<string>> {
    const asked = [...new Set(patientIds)];
    if (!asked.length) return new Set();
    const rows = await mappingTransientErrors(
      () => db<{ id: string }[]>`
        SELECT asked.id FROM unnest(${asked}::text[]) AS asked(id)
        WHERE ${personRestricted(this.sql, this.sql`ARRAY[asked.id]`, 'asked')}`,
    );
    return new Set(rows.map((row) => row.id));
  }
}
