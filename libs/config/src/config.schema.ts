import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import {
  ArrayNotEmpty,
  Equals,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsUrl,
  ValidateIf,
} from 'class-validator';
import topics from '../../messaging/src/topics.json';
import { applyDecorators, Env, Section } from './config-loader';

const toInt = (raw: string) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error('not an integer');
  return Number(raw);
};
const toList = (raw: string) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** One readable message for every way a port can be wrong. */
function IsPortNumber() {
  const message = 'must be an integer port between 0 and 65535';
  return applyDecorators(IsInt({ message }), Min(0, { message }), Max(65535, { message }));
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class DatabaseConfig {
  @Env('DATABASE_URL', { default: 'postgres://postgres@127.0.0.1:5432/continuum' })
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'must be a postgres:// connection URL' })
  url!: string;

  @Env('DATABASE_POOL_SIZE', { parse: toInt, default: 10 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(200)
  poolSize!: number;

  /** Upper bound for any one statement, so a runaway query cannot hold locks or connections for ever. */
  @Env('DATABASE_STATEMENT_TIMEOUT_MS', { parse: toInt, default: 30_000 })
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(100)
  statementTimeoutMs!: number;

  @Env('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', { parse: toInt, default: 60_000 })
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(100)
  idleInTransactionTimeoutMs!: number;
}

export class KafkaTopicsConfig {
  @Env('KAFKA_TOPIC_FHIR_INBOUND', { default: topics.fhirInbound.name })
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  fhirInbound!: string;

  @Env('KAFKA_TOPIC_HL7V2_INBOUND', { default: topics.hl7v2Inbound.name })
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  hl7v2Inbound!: string;

  @Env('KAFKA_TOPIC_INGEST_DLQ', { default: topics.ingestDlq.name })
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  ingestDlq!: string;

  @Env('KAFKA_TOPIC_CHANGES', { default: topics.changes.name })
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  changes!: string;
}

export class KafkaConfig {
  @Env('KAFKA_BROKERS', { parse: toList, default: ['127.0.0.1:9092'] })
  @ArrayNotEmpty({ message: 'must list at least one broker' })
  @Matches(HOST_PORT, { each: true, message: 'must be a comma-separated list of host:port' })
  brokers!: string[];

  @Env('KAFKA_CLIENT_ID', { default: 'continuum' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]+$/, {
    message: 'must contain only letters, digits, dots, dashes and underscores',
  })
  clientId!: string;

  @Section(() => KafkaTopicsConfig)
  @ValidateNested()
  topics!: KafkaTopicsConfig;
}

export class ElasticsearchConfig {
  @Env('ELASTICSEARCH_NODE', { default: 'http://127.0.0.1:9200' })
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an http(s) URL' },
  )
  node!: string;

  @Env('ELASTICSEARCH_INDEX_PREFIX', { default: 'continuum' })
  @Matches(/^[a-z0-9][a-z0-9_-]*$/, { message: 'must be lowercase letters, digits, dashes or underscores' })
  indexPrefix!: string;
}

export class LogConfig {
  @Env('LOG_LEVEL', { default: 'info' })
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  level!: LogLevel;
}

export class HttpConfig {
  @Env('API_PORT', { parse: toInt, default: 8080 })
  @IsPortNumber()
  port!: number;

  @Env('API_HOST', { default: '127.0.0.1' })
  @IsString()
  host!: string;

  /** The public FHIR base URL, used in Bundle links and Location headers. */
  @Env('FHIR_BASE_URL', { default: 'http://127.0.0.1:8080/fhir' })
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'must be an absolute http(s) URL' })
  fhirBaseUrl!: string;
}

/** One process per core by default: each app that does CPU work runs that many workers (docs/performance.md). */
const CORES = availableParallelism();

/** Worker processes of one process-count setting: 1 runs the app in the process itself, without a supervisor. */
function IsWorkerCount() {
  const message = 'must be an integer number of processes between 1 and 64';
  return applyDecorators(IsInt({ message }), Min(1, { message }), Max(64, { message }));
}

/** How many API worker processes share the listening port (Node cluster); the primary only supervises them. */
export class ApiWorkersConfig {
  @Env('API_WORKERS', { parse: toInt, default: CORES })
  @IsWorkerCount()
  count!: number;
}

/** Port for /metrics and /health on the apps that are not HTTP servers otherwise. */
export abstract class MetricsServerConfig {
  abstract port: number;
}

export class IngestMetricsConfig extends MetricsServerConfig {
  @Env('INGEST_METRICS_PORT', { parse: toInt, default: 9464 })
  @IsPortNumber()
  port!: number;
}

export class IndexerMetricsConfig extends MetricsServerConfig {
  @Env('INDEXER_METRICS_PORT', { parse: toInt, default: 9465 })
  @IsPortNumber()
  port!: number;
}

export class IngestConfig {
  @Env('INGEST_CONSUMER_GROUP', { default: 'continuum-ingest' })
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must be a valid Kafka consumer group id' })
  consumerGroup!: string;

  @Env('INGEST_MAX_BATCH_MESSAGES', { parse: toInt, default: 500 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(10_000)
  maxBatchMessages!: number;

  /** Consumer-group members (worker processes) one ingest app runs; each commits its own offsets after Postgres. */
  @Env('INGEST_CONSUMERS', { parse: toInt, default: CORES })
  @IsWorkerCount()
  consumers!: number;

  /** Partitions one ingest consumer works on at once; scale further with more consumers in the group. */
  @Env('INGEST_PARTITIONS_CONCURRENTLY', { parse: toInt, default: 3 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(64)
  partitionsConcurrently!: number;
}

export class IndexerConfig {
  @Env('INDEXER_CONSUMER_GROUP', { default: 'continuum-indexer' })
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must be a valid Kafka consumer group id' })
  consumerGroup!: string;

  @Env('INDEXER_BULK_SIZE', { parse: toInt, default: 1000 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(10_000)
  bulkSize!: number;
}

/** OAuth 2.0 bearer tokens (SMART on FHIR): who may call the API, and the local issuer's keys (docs/security.md). */
export class AuthConfig {
  @Env('AUTH_ISSUER', { default: 'https://continuum.local/issuer' })
  @IsString()
  issuer!: string;

  @Env('AUTH_AUDIENCE', { default: 'continuum-api' })
  @IsString()
  audience!: string;

  /** The issuer's JWKS endpoint; when empty, the JWKS file is used. */
  @Env('AUTH_JWKS_URL', { default: '' })
  @ValidateIf((config: AuthConfig) => config.jwksUrl !== '')
  @IsUrl(
    { require_tld: false, protocols: ['https', 'http'], require_protocol: true },
    { message: 'must be an http(s) URL' },
  )
  jwksUrl!: string;

  /** Where the local issuer keeps its keys (generated on first use, never committed). */
  @Env('CONTINUUM_KEYS_DIR', { default: '.keys' })
  @IsString()
  keysDir!: string;

  /** A JWKS file of accepted public keys; when empty, `<keysDir>/jwks.json` (the local issuer's). */
  @Env('AUTH_JWKS_FILE', { default: '' })
  @IsString()
  jwksFile!: string;

  @Env('AUTH_CLOCK_SKEW_SECONDS', { parse: toInt, default: 60 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(0)
  @Max(300)
  clockSkewSeconds!: number;
}

/** A setting that was replaced: set, it stops the app with `message` rather than being silently ignored. */
function Retired(variable: string, message: string) {
  return applyDecorators(
    Env(variable, { default: '' }) as PropertyDecorator,
    Equals('', { message }),
  );
}

/**
 * Request limits applied at the API edge: sizes and shapes of what a request may carry, and rates. Rates are per
 * client and per class of token, because the classes carry very different traffic: a `system/` ETL or integration
 * client reads sequentially at hundreds of requests a second, a clinician's browser at a few, a patient's app less.
 * Callers refused at authentication are limited per address, so guessing tokens is slowed too.
 */
export class ApiLimitsConfig {
  @Env('RATE_LIMIT_SYSTEM_PER_MINUTE', { parse: toInt, default: 60_000 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  systemRatePerMinute!: number;

  @Env('RATE_LIMIT_SYSTEM_BURST', { parse: toInt, default: 1000 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  systemRateBurst!: number;

  @Env('RATE_LIMIT_USER_PER_MINUTE', { parse: toInt, default: 1200 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  userRatePerMinute!: number;

  @Env('RATE_LIMIT_USER_BURST', { parse: toInt, default: 200 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  userRateBurst!: number;

  @Env('RATE_LIMIT_PATIENT_PER_MINUTE', { parse: toInt, default: 600 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  patientRatePerMinute!: number;

  @Env('RATE_LIMIT_PATIENT_BURST', { parse: toInt, default: 100 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  patientRateBurst!: number;

  /** Per address, for callers whose token was missing or refused. */
  @Env('RATE_LIMIT_REFUSED_PER_MINUTE', { parse: toInt, default: 600 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  refusedRatePerMinute!: number;

  @Env('RATE_LIMIT_REFUSED_BURST', { parse: toInt, default: 100 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  refusedRateBurst!: number;

  @Retired(
    'RATE_LIMIT_PER_MINUTE',
    'was replaced by RATE_LIMIT_SYSTEM_PER_MINUTE, RATE_LIMIT_USER_PER_MINUTE, RATE_LIMIT_PATIENT_PER_MINUTE and RATE_LIMIT_REFUSED_PER_MINUTE: unset it',
  )
  retiredRatePerMinute!: string;

  @Retired(
    'RATE_LIMIT_BURST',
    'was replaced by RATE_LIMIT_SYSTEM_BURST, RATE_LIMIT_USER_BURST, RATE_LIMIT_PATIENT_BURST and RATE_LIMIT_REFUSED_BURST: unset it',
  )
  retiredRateBurst!: string;

  @Env('MAX_BUNDLE_ENTRIES', { parse: toInt, default: 1000 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  maxBundleEntries!: number;

  /** Expensive searches (chains, `_has`, `:contains`, counts, sorts) one caller may run at once; more answer 429. */
  @Env('SEARCH_EXPENSIVE_CONCURRENCY_PER_CALLER', { parse: toInt, default: 4 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  expensiveSearchesPerCaller!: number;
  /** Largest request body in bytes (413 beyond). */
  @Env('MAX_BODY_BYTES', { parse: toInt, default: 10 * 1024 * 1024 })
  @IsInt({ message: 'must be an integer number of bytes' })
  @Min(1024)
  maxBodyBytes!: number;

  /** Deepest nesting of objects and arrays in a JSON body (the deepest FHIR fixtures we hold nest 16 levels). */
  @Env('MAX_JSON_DEPTH', { parse: toInt, default: 100 })
  @IsInt({ message: 'must be an integer' })
  @Min(16)
  @Max(1000)
  maxJsonDepth!: number;

  /** Longest search or criteria parameter value, in characters (a list of 100 ids fits in 4,000). */
  @Env('MAX_PARAMETER_LENGTH', { parse: toInt, default: 8192 })
  @IsInt({ message: 'must be an integer' })
  @Min(256)
  maxParameterLength!: number;

  /** Most search or criteria parameters in one request. */
  @Env('MAX_PARAMETERS', { parse: toInt, default: 100 })
  @IsInt({ message: 'must be an integer' })
  @Min(10)
  maxParameters!: number;
}

// One schema per app: each app validates exactly the settings it uses.

/** The API serves everything from Postgres: it takes no Kafka or Elasticsearch settings. */
export class ApiAppConfig {
  @Section(() => HttpConfig) @ValidateNested() http!: HttpConfig;
  @Section(() => ApiWorkersConfig) @ValidateNested() workers!: ApiWorkersConfig;
  @Section(() => AuthConfig) @ValidateNested() auth!: AuthConfig;
  @Section(() => ApiLimitsConfig) @ValidateNested() limits!: ApiLimitsConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}

export class IngestAppConfig {
  @Section(() => IngestConfig) @ValidateNested() ingest!: IngestConfig;
  @Section(() => IngestMetricsConfig) @ValidateNested() metrics!: IngestMetricsConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => KafkaConfig) @ValidateNested() kafka!: KafkaConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}

export class IndexerAppConfig {
  @Section(() => IndexerConfig) @ValidateNested() indexer!: IndexerConfig;
  @Section(() => IndexerMetricsConfig) @ValidateNested() metrics!: IndexerMetricsConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => KafkaConfig) @ValidateNested() kafka!: KafkaConfig;
  @Section(() => ElasticsearchConfig) @ValidateNested() elasticsearch!: ElasticsearchConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}

export class CliAppConfig {
  @Section(() => HttpConfig) @ValidateNested() http!: HttpConfig;
  @Section(() => AuthConfig) @ValidateNested() auth!: AuthConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => KafkaConfig) @ValidateNested() kafka!: KafkaConfig;
  @Section(() => ElasticsearchConfig) @ValidateNested() elasticsearch!: ElasticsearchConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}
