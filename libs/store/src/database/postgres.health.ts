import type { Sql } from 'postgres';
import type { HealthCheck } from '@continuum/observability';

/** Postgres is ready when a pooled connection answers a trivial query. */
export class PostgresHealthCheck implements HealthCheck {
  readonly name = 'postgres';

  constructor(private readonly sql: Sql) {}

  async check(): Promise<void> {
    await this.sql`select 1`;
  }
}
