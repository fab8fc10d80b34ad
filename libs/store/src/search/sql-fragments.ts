import type postgres from 'postgres';

/** postgres.js with or without a transaction: search runs on either. */
export type Sql = postgres.Sql | postgres.TransactionSql;
export type Fragment = postgres.Fragment;

export function join(sql: Sql, fragments: Fragment[], separator: 'AND' | 'OR' | ','): Fragment {
  if (fragments.length === 0) return separator === 'OR' ? sql`false` : sql`true`;
  return fragments.reduce((all, fragment) =>
    separator === 'AND'
      ? sql`${all} AND ${fragment}`
      : separator === 'OR'
        ? sql`${all} OR ${fragment}`
        : sql`${all}, ${fragment}`,
  );
}

/** Escapes LIKE wildcards in user text; the pattern's own `%` are added around it by the caller. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Unique aliases for nested sub-queries (chains within chains), so correlations never capture the wrong row. */
export class Aliases {
  private next = 0;
  take(prefix: string): string {
    this.next += 1;
    return `${prefix}${this.next}`;
  }
}
