import type postgres from 'postgres';

/**
 * A connection of its own for a long read (a scan, a compiled view), set for it and given back as it was:
 * - `jit = off`: these statements' cost estimates cross JIT's threshold, and JIT then spent seconds compiling
 *   expressions for every statement (3 s a page for a secondary-use scan);
 * - `work_mem = 64MB`: the hashed set of patients consent hides (visibleUnderConsentForScans) must fit in hash
 *   memory, or the planner falls back to re-reading the set for every row; 64 MB holds about a million ids.
 */
export async function reserveForScan(
  sql: postgres.Sql,
): Promise<{ connection: postgres.ReservedSql; release: () => Promise<void> }> {
  const connection = await sql.reserve();
  try {
    await connection`SET jit = off`;
    await connection`SET work_mem = '64MB'`;
  } catch (error) {
    connection.release();
    throw error;
  }
  return {
    connection,
    release: async () => {
      await connection`RESET jit`.catch(() => undefined);
      await connection`RESET work_mem`.catch(() => undefined);
      connection.release();
    },
  };
}
