import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import {
  ArrayNotEmpty,
  Equals,
  IsIn,
  IsBoolean,
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
const toBoolean = (raw: string) => {
  const value = raw.trim().toLowerCase();
  if (value !== 'true' && value !== 'false') throw new Error('not a boolean');
  return value === 'true';
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

  /**
   * Whether ingest links each stored Patient to its person (issue #13). For benchmarking only: `npm run bench --
   * ingest --link false` measures what linking costs. With `false` no new Patient joins a person and reads do not
   * follow it until the store's Patients are linked again: never turn it off in service.
   */
  @Env('IDENTITY_LINK_ON_INGEST', { parse: toBoolean, default: true })
  @IsBoolean({ message: 'must be true or false' })
  linkOnIngest!: boolean;
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
  return applyDecorators(Env(variable, { default: '' }) as PropertyDecorator, Equals('', { message }));
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

/** The clinician portal: where it listens, how launches are verified, and the key its session cookies are signed with. */
export class PortalConfig {
  @Env('PORTAL_PORT', { parse: toInt, default: 8090 })
  @IsPortNumber()
  port!: number;

  @Env('PORTAL_HOST', { default: '127.0.0.1' })
  @IsString()
  host!: string;

  /** The portal's public address: launch links and the SMART configuration name it. */
  @Env('PORTAL_PUBLIC_URL', { default: 'http://127.0.0.1:8090' })
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'must be an absolute http(s) URL' })
  publicUrl!: string;

  /** The `aud` a launch token must carry (tokens for the API or anything else are refused). */
  @Env('PORTAL_LAUNCH_AUDIENCE', { default: 'continuum-portal' })
  @IsString()
  launchAudience!: string;

  /** Longest lifetime a launch token may have (exp − iat): launch links are short-lived. */
  @Env('PORTAL_LAUNCH_MAX_AGE_SECONDS', { parse: toInt, default: 300 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(10)
  @Max(3600)
  launchMaxAgeSeconds!: number;

  /** HMAC key of the session cookie (at least 32 characters; rotate to sign everyone out). */
  @Env('PORTAL_SESSION_SECRET')
  @IsString({ message: 'must be set (at least 32 characters)' })
  @Matches(/^.{32,}$/, { message: 'must be at least 32 characters' })
  sessionSecret!: string;

  @Env('PORTAL_SESSION_MINUTES', { parse: toInt, default: 480 })
  @IsInt({ message: 'must be an integer number of minutes' })
  @Min(1)
  @Max(720)
  sessionMinutes!: number;
}

/**
 * The SMART App Launch authorization server in the API (EHR launch, docs/portal.md): registered public clients and
 * how long a launch context, an authorization code and an access token live.
 */
export class SmartConfig {
  /** `client_id=redirect_uri[|redirect_uri]`, comma-separated: the apps the EHR may launch. */
  @Env('SMART_CLIENTS', { default: 'continuum-portal=http://127.0.0.1:8090/launch/smart/callback' })
  @Matches(
    /^[^=,\s|]+=https?:\/\/[^\s,|]+(\|https?:\/\/[^\s,|]+)*(\s*,\s*[^=,\s|]+=https?:\/\/[^\s,|]+(\|https?:\/\/[^\s,|]+)*)*$/,
    {
      message: 'must be client_id=redirect_uri entries separated by commas (several URIs joined by |)',
    },
  )
  clients!: string;

  @Env('SMART_LAUNCH_SECONDS', { parse: toInt, default: 300 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(10)
  @Max(3600)
  launchSeconds!: number;

  @Env('SMART_CODE_SECONDS', { parse: toInt, default: 60 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(5)
  @Max(600)
  codeSeconds!: number;

  @Env('SMART_ACCESS_TOKEN_SECONDS', { parse: toInt, default: 900 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(60)
  @Max(3600)
  accessTokenSeconds!: number;
}

/** FHIR Bulk Data export (docs/bulk-export.md): shared by the API (kick-off, status, files) and the exporter. */
export class ExportConfig {
  /** Where export files are written and read: replicas of the exporter and the API must share it. */
  @Env('EXPORT_DIRECTORY', { default: '/var/tmp/continuum/exports' })
  @IsString()
  @Matches(/^\//, { message: 'must be an absolute path' })
  directory!: string;

  /** A file is split before it grows past this many bytes (one type per file). */
  @Env('EXPORT_FILE_MAX_BYTES', { parse: toInt, default: 256 * 1024 * 1024 })
  @IsInt({ message: 'must be an integer number of bytes' })
  @Min(1024)
  maxFileBytes!: number;

  /** How long a finished export's files are kept before they are swept. */
  @Env('EXPORT_EXPIRES_AFTER_SECONDS', { parse: toInt, default: 24 * 3600 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(60)
  expiresAfterSeconds!: number;

  /** Retry-After of a status answer; also a worker's lease, so a lost job is resumed within twice it. */
  @Env('EXPORT_RETRY_AFTER_SECONDS', { parse: toInt, default: 5 })
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(1)
  @Max(300)
  retryAfterSeconds!: number;

  /** Rows read per scan page. */
  @Env('EXPORT_PAGE_SIZE', { parse: toInt, default: 1000 })
  @IsInt({ message: 'must be an integer' })
  @Min(10)
  @Max(10_000)
  pageSize!: number;

  /** How often a running export saves its position (and audits what it wrote): what a lost worker's successor redoes. */
  @Env('EXPORT_CHECKPOINT_EVERY_MS', { parse: toInt, default: 1000 })
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(50)
  @Max(600_000)
  checkpointEveryMs!: number;

  /**
   * An export estimated at more rows than this is sliced by key range, a slice per this many rows (at most
   * EXPORT_MAX_SLICES), so that several exporter processes read it at once (docs/bulk-export.md, "Slices").
   */
  @Env('EXPORT_SLICE_ROWS', { parse: toInt, default: 50_000 })
  @IsInt({ message: 'must be an integer number of rows' })
  @Min(1)
  sliceRows!: number;

  /** The most slices one export is cut into; 1 never slices. */
  @Env('EXPORT_MAX_SLICES', { parse: toInt, default: 8 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(64)
  maxSlices!: number;

  /** Jobs one exporter replica runs at once. */
  @Env('EXPORT_WORKER_CONCURRENCY', { parse: toInt, default: 2 })
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(32)
  workerConcurrency!: number;

  /** The key ring (JSON, outside the database) for pseudonymised `$extract` jobs; empty: they fail saying so. */
  @Env('EXTRACT_KEY_FILE', { default: '' })
  @ValidateIf((config: ExportConfig) => config.extractKeyFile !== '')
  @Matches(/^\//, { message: 'must be an absolute path' })
  extractKeyFile!: string;
}

/** How many exporter processes one replica runs (Node cluster); the primary only supervises them. */
export class ExporterWorkersConfig {
  @Env('EXPORTER_WORKERS', { parse: toInt, default: CORES })
  @IsWorkerCount()
  count!: number;
}

export class ExporterMetricsConfig extends MetricsServerConfig {
  @Env('EXPORTER_METRICS_PORT', { parse: toInt, default: 9466 })
  @IsPortNumber()
  port!: number;
}

// One schema per app: each app validates exactly the settings it uses.

/** The API serves everything from Postgres: it takes no Kafka or Elasticsearch settings. */
export class ApiAppConfig {
  @Section(() => HttpConfig) @ValidateNested() http!: HttpConfig;
  @Section(() => ExportConfig) @ValidateNested() export!: ExportConfig;
  @Section(() => ApiWorkersConfig) @ValidateNested() workers!: ApiWorkersConfig;
  @Section(() => AuthConfig) @ValidateNested() auth!: AuthConfig;
  @Section(() => SmartConfig) @ValidateNested() smart!: SmartConfig;
  @Section(() => ApiLimitsConfig) @ValidateNested() limits!: ApiLimitsConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  /** Patient finding (PDQm, `Patient?_query=pdqm`) only; everything else is served from Postgres. */
  @Section(() => ElasticsearchConfig) @ValidateNested() elasticsearch!: ElasticsearchConfig;
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

/**
 * The portal reads the record through the secured door (HttpConfig's FHIR base names references) and its own tables;
 * Elasticsearch only to find people by their details.
 */
export class PortalAppConfig {
  @Section(() => PortalConfig) @ValidateNested() portal!: PortalConfig;
  @Section(() => HttpConfig) @ValidateNested() http!: HttpConfig;
  /** Finding a patient by name, birth date and postcode (the patient finder's index) only. */
  @Section(() => ElasticsearchConfig) @ValidateNested() elasticsearch!: ElasticsearchConfig;
  @Section(() => AuthConfig) @ValidateNested() auth!: AuthConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}

/** The export worker reads through the secured door (AuthConfig for SecurityModule; HttpConfig for file URLs). */
export class ExporterAppConfig {
  @Section(() => ExportConfig) @ValidateNested() export!: ExportConfig;
  @Section(() => ExporterWorkersConfig) @ValidateNested() workers!: ExporterWorkersConfig;
  @Section(() => ExporterMetricsConfig) @ValidateNested() metrics!: ExporterMetricsConfig;
  @Section(() => HttpConfig) @ValidateNested() http!: HttpConfig;
  @Section(() => AuthConfig) @ValidateNested() auth!: AuthConfig;
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
  @Section(() => LogConfig) @ValidateNested() log!: LogConfig;
}
