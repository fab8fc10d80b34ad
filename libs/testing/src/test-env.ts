/**
 * Settings every integration and end-to-end test uses: the real local infrastructure, with the test database.
 * Tests own their data (unique ids, topics, index prefixes), so they can share these servers.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/continuum_test';

export const testEnv: Record<string, string> = {
  DATABASE_URL: TEST_DATABASE_URL,
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  ELASTICSEARCH_NODE: process.env.ELASTICSEARCH_NODE ?? 'http://127.0.0.1:9200',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
};

/** A short random suffix for names a test owns (topics, groups, identifier values, index prefixes). */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
