import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './config-loader';
import { ApiAppConfig, IndexerAppConfig, IngestAppConfig } from './config.schema';

describe('loadConfig', () => {
  it('gives defaults that fit the local infrastructure', () => {
    const config = loadConfig(ApiAppConfig, {});
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/continuum');
    expect(config.http.port).toBe(8080);
    expect(config.log.level).toBe('info');
    const indexer = loadConfig(IndexerAppConfig, {});
    expect(indexer.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(indexer.kafka.topics.fhirInbound).toBe('fhir.inbound');
    expect(indexer.elasticsearch.node).toBe('http://127.0.0.1:9200');
  });

  it('gives the API no Kafka settings, and Elasticsearch ones for patient finding (PDQm), checked at boot', () => {
    const config = loadConfig(ApiAppConfig, { KAFKA_BROKERS: 'not a broker' });
    expect(Object.keys(config).sort()).toEqual([
      'auth',
      'database',
      'elasticsearch',
      'export',
      'http',
      'limits',
      'log',
      'smart',
      'workers',
    ]);
    expect(() => loadConfig(ApiAppConfig, { ELASTICSEARCH_NODE: 'nowhere' })).toThrow(
      /ELASTICSEARCH_NODE: must be an http\(s\) URL/,
    );
  });

  it('reads and parses environment variables', () => {
    const config = loadConfig(IngestAppConfig, {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      INGEST_METRICS_PORT: '9999',
      DATABASE_POOL_SIZE: '4',
    });
    expect(config.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.metrics.port).toBe(9999);
    expect(config.database.poolSize).toBe(4);
  });

  it('names every invalid setting and says what is wrong', () => {
    const attempt = () =>
      loadConfig(IngestAppConfig, {
        KAFKA_BROKERS: 'not a broker',
        INGEST_METRICS_PORT: 'eighty',
        LOG_LEVEL: 'loud',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain(
        'KAFKA_BROKERS: must be a comma-separated list of host:port (got ["not a broker"])',
      );
      expect(message).toContain(
        'INGEST_METRICS_PORT: must be an integer port between 0 and 65535 (got "eighty")',
      );
      expect(message).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });

  it('links on ingest unless IDENTITY_LINK_ON_INGEST is false, and refuses anything but true or false', () => {
    expect(loadConfig(IngestAppConfig, {}).ingest.linkOnIngest).toBe(true);
    expect(loadConfig(IngestAppConfig, { IDENTITY_LINK_ON_INGEST: 'false' }).ingest.linkOnIngest).toBe(false);
    expect(loadConfig(IngestAppConfig, { IDENTITY_LINK_ON_INGEST: 'TRUE' }).ingest.linkOnIngest).toBe(true);
    expect(() => loadConfig(IngestAppConfig, { IDENTITY_LINK_ON_INGEST: 'no' })).toThrow(
      'IDENTITY_LINK_ON_INGEST: must be true or false (got "no")',
    );
  });

  it('refuses a database URL that is not a postgres URL', () => {
    expect(() => loadConfig(ApiAppConfig, { DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL: must be a postgres/,
    );
  });

  it('rate limits per class of token: system far above user, user above patient', () => {
    const limits = loadConfig(ApiAppConfig, {}).limits;
    expect([limits.systemRatePerMinute, limits.userRatePerMinute, limits.patientRatePerMinute]).toEqual([
      60_000, 1200, 600,
    ]);
    expect(
      loadConfig(ApiAppConfig, { RATE_LIMIT_SYSTEM_PER_MINUTE: '120000' }).limits.systemRatePerMinute,
    ).toBe(120_000);
    expect(() => loadConfig(ApiAppConfig, { RATE_LIMIT_PATIENT_BURST: '0' })).toThrow(
      /RATE_LIMIT_PATIENT_BURST/,
    );
  });

  it('runs one API worker and one ingest consumer per core unless told otherwise, one at least', () => {
    expect(loadConfig(ApiAppConfig, {}).workers.count).toBe(availableParallelism());
    expect(loadConfig(IngestAppConfig, {}).ingest.consumers).toBe(availableParallelism());
    expect(loadConfig(ApiAppConfig, { API_WORKERS: '1' }).workers.count).toBe(1);
    expect(loadConfig(IngestAppConfig, { INGEST_CONSUMERS: '3' }).ingest.consumers).toBe(3);
    expect(() => loadConfig(ApiAppConfig, { API_WORKERS: '0' })).toThrow(
      /API_WORKERS: must be an integer number of processes between 1 and 64 \(got 0\)/,
    );
    expect(() => loadConfig(IngestAppConfig, { INGEST_CONSUMERS: 'many' })).toThrow(/INGEST_CONSUMERS/);
  });

  it('refuses the retired single rate limit instead of ignoring it', () => {
    expect(() => loadConfig(ApiAppConfig, { RATE_LIMIT_PER_MINUTE: '1200' })).toThrow(
      /RATE_LIMIT_PER_MINUTE: was replaced by RATE_LIMIT_SYSTEM_PER_MINUTE/,
    );
    expect(() => loadConfig(ApiAppConfig, { RATE_LIMIT_BURST: '200' })).toThrow(
      /RATE_LIMIT_BURST: was replaced/,
    );
  });
});
