import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Bundle } from 'fhir/r4';
import { DatabaseConfig, KafkaConfig, loadConfig } from '@continuum/config';
import { syntheaBundleFiles } from '@continuum/fhir/search/testing/test-data';
import { createKafka, Header, KafkaPublisher } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import { createSql } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { isolatedIngest } from '@continuum/testing';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { type ApiProcess, startApiProcess } from '../measure/api-process';
import { LatencyRecorder } from '../measure/latency.recorder';
import {
  createdReference,
  freshCopy,
  ISSUE_15_SCENARIOS,
  type Measured,
  sideBySideTable,
} from '../measure/side-by-side';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

/** Issue #15's workload: the 10 bundles hold 1,282 resources; HAPI's figures are for exactly these. */
const ISSUE_BUNDLES = 10;
const ISSUE_RESOURCES = 1282;
const TOKEN_SEARCH = `Observation?code=${encodeURIComponent('http://loinc.org|29463-7')}&_count=20`;
const FHIR_JSON = 'application/fhir+json';

interface Reply {
  status: number;
  body: string;
}

/**
 * One HTTP client: one keep-alive connection, requests one after another (as a benchmark client of the issue's
 * side-by-side did). Raw node:http, so what the client adds to a round trip is as little as Node allows.
 */
class FhirClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly authorization?: string,
  ) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method: 'GET' | 'POST', path: string, body?: string): Promise<Reply> {
    const url = new URL(path, this.base);
    const transport = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { accept: FHIR_JSON };
    if (this.authorization) headers.authorization = this.authorization;
    if (body !== undefined) {
      headers['content-type'] = FHIR_JSON;
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  /** GETs `path`, recording the round trip; a non-200 answer stops the run (a fast error is not a result). */
  async timedGet(path: string, latency: LatencyRecorder): Promise<string> {
    const start = performance.now();
    const reply = await this.request('GET', path);
    latency.record(performance.now() - start);
    if (reply.status !== 200)
      throw new Error(`GET ${path}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
    return reply.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Workload {
  /** The bundles' JSON text, as read from the fixtures. */
  bundles: string[];
  resourcesPerCopy: number;
}

function loadWorkload(ctx: SuiteContext): Workload {
  const files = syntheaBundleFiles();
  const bundles = files.map((file) => readFileSync(fixturePath('synthea-r4-bundles', file), 'utf8'));
  const resourcesPerCopy = bundles.reduce(
    (sum, text) => sum + ((JSON.parse(text) as Bundle).entry?.length ?? 0),
    0,
  );
  if (bundles.length !== ISSUE_BUNDLES || resourcesPerCopy !== ISSUE_RESOURCES)
    ctx.log(
      `WARNING: ${bundles.length} bundles, ${resourcesPerCopy} resources a copy; issue #15's workload is ` +
        `${ISSUE_BUNDLES} bundles, ${ISSUE_RESOURCES} resources: the HAPI figures are not comparable`,
    );
  return { bundles, resourcesPerCopy };
}

/** Posts one transaction bundle and returns the `Type/id` of every entry it created. */
async function postTransaction(client: FhirClient, bundle: string): Promise<string[]> {
  const reply = await client.request('POST', '', bundle);
  if (reply.status !== 200) throw new Error(`transaction: HTTP ${reply.status} ${reply.body.slice(0, 500)}`);
  const response = JSON.parse(reply.body) as Bundle;
  const created = (response.entry ?? []).map((entry) => createdReference(entry.response?.location));
  if (created.some((reference) => !reference))
    throw new Error('transaction-response: an entry without a Type/id/_history location');
  return created as string[];
}

/** Spreads `count` picks over `items` (a stride prime to any realistic length), so every type is read. */
function spread<T>(items: T[], count: number): T[] {
  return Array.from({ length: count }, (_, i) => items[(i * 7919) % items.length]);
}

const p50p95 = (latency: LatencyRecorder) => [latency.at(50), latency.at(95)];

/**
 * The Kafka path of the same bundles: fresh copies published to a topic of the run's own, the ingest app
 * (IngestModule, one consumer, in this process) writing into the suite's database; timed from the first publish to
 * the last message in the ingestion ledger (written in the transaction of the data, before its offset is committed).
 */
async function kafkaIngest(
  ctx: SuiteContext,
  databaseUrl: string,
  workload: Workload,
  copies: number,
): Promise<number> {
  const suffix = Date.now().toString(36);
  const isolation = isolatedIngest('bench-workload', suffix);
  const env = { DATABASE_URL: databaseUrl, ...isolation.env, LOG_LEVEL: 'error', INGEST_CONSUMERS: '1' };
  const kafka = createKafka(loadConfig(KafkaConfig, env), createLogger('bench', 'error'), 'bench');
  await isolation.createTopics(kafka, 6);
  const sql = createSql(loadConfig(DatabaseConfig, env), { applicationName: 'bench-workload' });
  const publisher = new KafkaPublisher(kafka);
  let app: INestApplicationContext | undefined;
  const messageCount = async () =>
    Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM ingested_message`)[0].n);
  const publish = (bundles: string[], tag: string) =>
    publisher.publish(
      isolation.topics.fhir,
      bundles.map((value, i) => ({
        key: `${tag}-${i}`,
        value,
        headers: { [Header.sourceSystem]: 'BENCH:Synthea', [Header.messageId]: `${tag}-${i}-${suffix}` },
      })),
    );
  const waitFor = async (messages: number, deadline: number) => {
    while ((await messageCount()) < messages) {
      if (Date.now() > deadline)
        throw new Error(`Kafka ingest: fewer than ${messages} messages ledgered in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    Object.assign(process.env, env);
    app = await NestFactory.createApplicationContext(IngestModule, { logger: false });
    await app.init();
    // one warm-up message: the consumer has joined its group and is warm before the clock starts
    const base = await messageCount();
    await publish([freshCopy(workload.bundles[0])], 'warm');
    await waitFor(base + 1, Date.now() + 180_000);
    const measured = Array.from({ length: copies }, () => workload.bundles.map((b) => freshCopy(b))).flat();
    const before = await messageCount();
    const start = performance.now();
    await publish(measured, 'copy');
    await waitFor(before + measured.length, Date.now() + 600_000);
    const seconds = (performance.now() - start) / 1000;
    const rate = (workload.resourcesPerCopy * copies) / seconds;
    ctx.log(
      `Kafka: ${measured.length} transaction bundles (${workload.resourcesPerCopy * copies} resources) ledgered in ` +
        `${seconds.toFixed(1)} s: ${Math.round(rate)} resources/s (one consumer)`,
    );
    return rate;
  } finally {
    await app?.close();
    await publisher.disconnect();
    await sql.end({ timeout: 5 });
  }
}

let workload: Workload;
let api: ApiProcess | undefined;
let database: { url: string; drop: () => Promise<void> } | undefined;
let baseUrl = '';
let authorization: string | undefined;
let server = 'Continuum';

/**
 * Issue #15's side-by-side workload over HTTP against a FHIR base URL: the 10 Synthea transaction bundles, one
 * fresh-id copy per client from `--clients` (2) parallel clients; then, from one client, 1,000 reads by id of what
 * was created, 50 `Patient/$everything?_count=1000` of its patients, and 200 token searches. Prints ingest
 * resources/s and p50/p95 per read scenario beside HAPI FHIR JPA 8.8.0's figures quoted in the issue (not measured
 * here) and the issue's targets. By default it starts Continuum's API over a scratch database; `--base-url
 * <FHIR base>` (with `--authorization '<header value>'` if the server needs one) runs the same workload against
 * any server, e.g. HAPI. `--kafka true` also ingests 2 more copies through Kafka (own API only). Reference: the same
 * client reading a fixed JSON body from a bare node:http server (the floor of a round trip here).
 */
export const workloadSuite: BenchSuite = {
  name: 'workload',
  description:
    "issue #15's HTTP workload (Synthea transactions, reads, $everything, token search) beside HAPI 8.8.0",
  defaultResources: ISSUE_RESOURCES * 2,

  async prepare(ctx) {
    workload = loadWorkload(ctx);
    const given = ctx.options.extra['base-url'];
    if (given) {
      baseUrl = given;
      authorization = ctx.options.extra['authorization'];
      server = ctx.options.extra['server'] ?? given;
      ctx.log(`against ${baseUrl} (${authorization ? 'with' : 'without'} an Authorization header)`);
      return;
    }
    const admin = process.env.BENCH_DATABASE_URL ?? loadConfig(DatabaseConfig, process.env).url;
    const scratch = await createScratchDatabase(admin, `continuum_bench_workload_${Date.now().toString(36)}`);
    database = { url: scratch.config.url, drop: scratch.drop };
    api = await startApiProcess(ctx, scratch.config.url);
    baseUrl = `${api.origin}/fhir`;
    authorization = api.authorization;
    ctx.log(`Continuum's API (API_WORKERS default: one worker per core) at ${baseUrl}`);
  },

  async warmup(ctx) {
    // A bundle per connection, then a few of each read on each: pools, JIT and caches warm, as HAPI's were. Several
    // connections at once, because a clustered server hands each connection to one worker: one warm connection
    // would leave the other workers to load their validation definitions (seconds) inside the measured run.
    const connections = Math.max(2, Number(ctx.options.extra['clients'] ?? 2));
    const latency = new LatencyRecorder();
    let written = 0;
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const client = new FhirClient(baseUrl, authorization);
        try {
          const bundle = workload.bundles[c % workload.bundles.length];
          const created = await postTransaction(client, freshCopy(bundle));
          written += created.length;
          for (const reference of spread(created, 50)) await client.timedGet(reference, latency);
          for (const patient of created.filter((ref) => ref.startsWith('Patient/')))
            await client.timedGet(`${patient}/$everything?_count=1000`, latency);
          for (let i = 0; i < 10; i++) await client.timedGet(TOKEN_SEARCH, latency);
        } finally {
          client.close();
        }
      }),
    );
    ctx.log(`warm-up: ${written} resources written over ${connections} connections, ${latency.count} reads`);
  },

  async measure(ctx): Promise<RunResult> {
    const clients = Number(ctx.options.extra['clients'] ?? 2);
    const copies = Number(ctx.options.extra['copies'] ?? clients);
    const reads = Number(ctx.options.extra['reads'] ?? 1000);
    const everythings = Number(ctx.options.extra['everything'] ?? 50);
    const searches = Number(ctx.options.extra['searches'] ?? 200);

    // Ingest: copy c goes to client c % clients; the copies are made before the clock starts.
    const copiesOf = Array.from({ length: copies }, () =>
      workload.bundles.map((bundle) => freshCopy(bundle)),
    );
    const bundleLatency = new LatencyRecorder();
    const created: string[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const client = new FhirClient(baseUrl, authorization);
        try {
          for (let copy = c; copy < copies; copy += clients)
            for (const bundle of copiesOf[copy])
              created.push(...(await bundleLatency.time(() => postTransaction(client, bundle))));
        } finally {
          client.close();
        }
      }),
    );
    const ingestSeconds = (performance.now() - start) / 1000;
    const ingestRate = created.length / ingestSeconds;
    ctx.log(
      `HTTP ingest: ${copies} copies × ${workload.bundles.length} bundles from ${clients} clients, ${created.length} ` +
        `resources in ${ingestSeconds.toFixed(1)} s: ${Math.round(ingestRate)} resources/s; bundle p50 ` +
        `${bundleLatency.at(50).toFixed(0)} ms, p95 ${bundleLatency.at(95).toFixed(0)} ms`,
    );

    // Reads, searches and $everything from one client, one request at a time.
    const client = new FhirClient(baseUrl, authorization);
    const readLatency = new LatencyRecorder();
    const everythingLatency = new LatencyRecorder();
    const searchLatency = new LatencyRecorder();
    const readStart = performance.now();
    let everythingEntries = 0;
    let searchEntries = 0;
    try {
      for (const reference of spread(created, reads)) await client.timedGet(reference, readLatency);
      const readElapsedMs = performance.now() - readStart;
      const patients = created.filter((reference) => reference.startsWith('Patient/'));
      for (const patient of spread(patients, everythings)) {
        const body = await client.timedGet(`${patient}/$everything?_count=1000`, everythingLatency);
        everythingEntries += (JSON.parse(body) as Bundle).entry?.length ?? 0;
      }
      for (let i = 0; i < searches; i++) {
        const body = await client.timedGet(TOKEN_SEARCH, searchLatency);
        searchEntries += (JSON.parse(body) as Bundle).entry?.length ?? 0;
      }
      ctx.log(
        `$everything: ${(everythingEntries / Math.max(1, everythings)).toFixed(0)} entries a response; token ` +
          `search: ${(searchEntries / Math.max(1, searches)).toFixed(0)} entries a page`,
      );

      const kafkaRate =
        ctx.options.extra['kafka'] === 'true' && database
          ? await kafkaIngest(ctx, database.url, workload, copies)
          : undefined;
      const rows: Measured[] = [
        { scenario: ISSUE_15_SCENARIOS.httpIngest, values: [ingestRate] },
        { scenario: ISSUE_15_SCENARIOS.kafkaIngest, values: kafkaRate ? [kafkaRate] : undefined },
        { scenario: ISSUE_15_SCENARIOS.read, values: p50p95(readLatency) },
        { scenario: ISSUE_15_SCENARIOS.everything, values: p50p95(everythingLatency) },
        { scenario: ISSUE_15_SCENARIOS.tokenSearch, values: p50p95(searchLatency) },
      ];
      process.stdout.write(`\n${sideBySideTable(rows, server)}\n\n`);
      return {
        label: `${server}: read by id (1 client, sequential)`,
        operations: readLatency.count,
        unit: 'requests',
        elapsedMs: readElapsedMs,
        latency: readLatency,
      };
    } finally {
      client.close();
    }
  },

  async reference(ctx): Promise<RunResult> {
    // The same client and the same number of reads against a server that only answers a fixed resource's JSON.
    const body = JSON.stringify((JSON.parse(workload.bundles[0]) as Bundle).entry?.[1]?.resource ?? {});
    const bare = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': FHIR_JSON });
      response.end(body);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const address = bare.address() as { port: number };
    const client = new FhirClient(`http://127.0.0.1:${address.port}/fhir`);
    const latency = new LatencyRecorder();
    const reads = Number(ctx.options.extra['reads'] ?? 1000);
    const start = performance.now();
    try {
      for (let i = 0; i < reads; i++) await client.timedGet('Observation/x', latency);
    } finally {
      client.close();
      await new Promise((resolve) => bare.close(resolve));
    }
    return {
      label: 'bare node:http, fixed JSON (reference)',
      operations: reads,
      unit: 'requests',
      elapsedMs: performance.now() - start,
      latency,
    };
  },

  async teardown() {
    api?.stop();
    await database?.drop();
  },
};
