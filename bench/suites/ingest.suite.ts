import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type postgres from 'postgres';
import { KafkaConfig, loadConfig } from '@continuum/config';
import { CommunityGenerator, type KafkaRecord } from '@continuum/generator';
import { createKafka, KafkaPublisher } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import { createSql } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { isolatedIngest } from '@continuum/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RESOURCES_PER_PATIENT = 825;

/**
 * Kafka → committed Postgres, end to end: the generator's feeds for N resources are published first (not timed),
 * then the ingest app (in this process, as in production: IngestModule) consumes the backlog. Measured until every
 * message is in the ingestion ledger. Reference: a raw kafkajs consume of the same topics, doing nothing with the
 * messages — the floor for reading these bytes out of Kafka.
 */
class IngestBench {
  suffix = `${Date.now().toString(36)}`;
  isolation = isolatedIngest('bench', this.suffix);
  topics = this.isolation.topics;
  kafka!: Kafka;
  sql!: postgres.Sql;
  dropDatabase?: () => Promise<void>;
  messages = 0;
  bytes = 0;
  env: Record<string, string> = {};

  async prepare(ctx: SuiteContext): Promise<void> {
    const database = await createScratchDatabase(BASE_URL, `continuum_bench_ingest_${this.suffix}`);
    this.dropDatabase = database.drop;
    this.sql = createSql(database.config);
    this.env = {
      DATABASE_URL: database.config.url,
      ...this.isolation.env,
      INGEST_MAX_BATCH_MESSAGES: ctx.options.extra['batch'] ?? '500',
      // `--link false`: ingest without linking Patients to persons, to measure what linking costs (benchmarks only)
      IDENTITY_LINK_ON_INGEST: ctx.options.extra['link'] ?? 'true',
      LOG_LEVEL: 'error',
    };
    this.kafka = createKafka(loadConfig(KafkaConfig, this.env), createLogger('bench', 'error'), 'bench');
    await this.isolation.createTopics(this.kafka, 6);

    const generator = new CommunityGenerator({
      seed: ctx.options.extra['seed'] ?? 'bench-ingest',
      formats: ['kafka'],
    });
    const publisher = new KafkaPublisher(this.kafka);
    const topicOf = (record: KafkaRecord) =>
      record.topic.startsWith('hl7') ? this.topics.hl7 : this.topics.fhir;
    const send = async (records: KafkaRecord[]) => {
      for (const topic of [this.topics.fhir, this.topics.hl7]) {
        const batch = records.filter((record) => topicOf(record) === topic);
        await publisher.publish(
          topic,
          batch.map(({ key, headers, value }) => ({ key, headers, value })),
        );
      }
      this.messages += records.length;
      this.bytes += records.reduce((sum, record) => sum + Buffer.byteLength(record.value), 0);
    };
    await send(generator.directory().messages);
    const patients = Math.max(1, Math.round(ctx.options.resources / RESOURCES_PER_PATIENT));
    for (let i = 0; i < patients; i++) await send(generator.person(i).messages);
    await publisher.disconnect();
    ctx.log(
      `published ${this.messages} messages (${(this.bytes / 1024 / 1024).toFixed(0)} MiB) for ${patients} patients`,
    );
  }

  /** Runs the ingest app until every published message is in the ledger; samples lag and resources meanwhile. */
  async ingest(ctx: SuiteContext): Promise<RunResult> {
    Object.assign(process.env, this.env);
    const lagSamples: number[] = [];
    const start = performance.now();
    const app: INestApplicationContext = await NestFactory.createApplicationContext(IngestModule, {
      logger: false,
    });
    await app.init();
    try {
      for (;;) {
        const [{ n }] = await this.sql<{ n: string }[]>`SELECT count(*) AS n FROM ingested_message`;
        const done = Number(n);
        lagSamples.push(this.messages - done);
        if (done >= this.messages) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await app.close();
    }
    const elapsedMs = performance.now() - start;
    const [{ n: resources }] = await this.sql<{ n: string }[]>`SELECT count(*) AS n FROM resource`;
    const sorted = [...lagSamples].sort((a, b) => a - b);
    ctx.log(
      `ingested ${this.messages} messages → ${resources} stored resources in ${(elapsedMs / 1000).toFixed(1)} s: ` +
        `${Math.round((this.messages * 1000) / elapsedMs)} messages/s, ${Math.round((Number(resources) * 1000) / elapsedMs)} resources/s; ` +
        `consumer lag (messages) max ${sorted.at(-1)}, p50 ${sorted[Math.floor(sorted.length / 2)]}, final ${lagSamples.at(-1)}`,
    );
    // Messages, so the ratio compares like with like; resources/s is in the log line above.
    return {
      label: `kafka → ingest → postgres${this.env.IDENTITY_LINK_ON_INGEST === 'false' ? ' (no identity linking)' : ''}`,
      operations: this.messages,
      unit: 'messages',
      elapsedMs,
      bytes: this.bytes,
    };
  }

  async rawConsume(): Promise<RunResult> {
    const consumer = this.kafka.consumer({
      groupId: `bench-raw-${this.suffix}`,
      maxBytesPerPartition: 12 * 1024 * 1024,
    });
    let seen = 0;
    const start = performance.now();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.fhir, this.topics.hl7], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => void (seen += batch.messages.length) });
    while (seen < this.messages) await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsedMs = performance.now() - start;
    await consumer.disconnect();
    return {
      label: 'raw kafkajs consume (reference)',
      operations: seen,
      unit: 'messages',
      elapsedMs,
      bytes: this.bytes,
    };
  }
}

let bench: IngestBench;

export const ingestSuite: BenchSuite = {
  name: 'ingest',
  description: 'Kafka → ingest app → committed Postgres, vs a raw kafkajs consume of the same messages',
  defaultResources: 100_000,
  async prepare(ctx) {
    bench = new IngestBench();
    await bench.prepare(ctx);
  },
  async warmup() {
    // The measured run starts the app cold on purpose: a backlog after a restart is the case that matters.
  },
  measure: (ctx) => bench.ingest(ctx),
  reference: () => bench.rawConsume(),
  async teardown() {
    await bench?.sql?.end();
    await bench?.dropDatabase?.();
  },
};
