import type { DatabaseConfig } from '@continuum/config';
import postgres from 'postgres';

/**
 * The postgres.js pool every resource operation uses. Timeouts bound any one statement and any transaction left
 * idle, so a stuck request cannot hold row locks for ever; bigint (resource keys, change sequences) stays a string.
 */
export function createSql(config: DatabaseConfig, options: { applicationName?: string } = {}): postgres.Sql {
  return postgres(config.url, {
    max: config.poolSize,
    onnotice: () => undefined,
    connection: {
      application_name: options.applicationName ?? 'continuum',
      statement_timeout: config.statementTimeoutMs,
      idle_in_transaction_session_timeout: config.idleInTransactionTimeoutMs,
    },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: string | number | bigint) => String(value),
        parse: (value: string) => value,
      },
    },
  });
}
