import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { acceptCorrelationId, runWithCorrelationId, type Logger } from '@continuum/observability';
import { decodeHeaders, Header } from './headers';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

const HEARTBEAT_INTERVAL_MS = 3_000;
/**
 * Handles a chunk of one partition's messages. Resolving means every message in it is durably dealt with
 * (stored, or dead-lettered): only then is the offset committed. Throwing means a transient fault: the same
 * chunk is retried with backoff, never skipped. Poison messages must be dead-lettered by the handler, not thrown.
 */
export type BatchHandler = (messages: ConsumedMessage[]) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  handle: BatchHandler;
  maxBatchMessages: number;
  /**
   * Partitions handled at once by this member (each still strictly in order). More than one overlaps one chunk's
   * database waits with another's work; the handler must be safe to run concurrently for different partitions.
   */
  partitionsConcurrently?: number;
  fromBeginning?: boolean;
  retry?: { initialMs: number; maxMs: number };
  registry?: Registry;
}

/**
 * A Kafka consumer-group member with commit-after-success semantics, built on kafkajs directly (no Nest transport):
 * explicit offset commits after the handler succeeds, unbounded retries with capped backoff for transient faults,
 * heartbeats while waiting, and a stop that finishes the chunk in hand before leaving the group.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly metrics: ConsumerMetrics;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      // Room for the largest message a topic accepts (10 MiB, see topics.json), so one never stalls a partition.
      maxBytesPerPartition: 12 * 1024 * 1024,
      maxBytes: 48 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.metrics = new ConsumerMetrics(options.registry);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /** Stops fetching, lets the chunk in hand finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    for (const chunk of chunks(batch.messages, this.options.maxBatchMessages)) {
      if (!isRunning() || isStale() || this.stopping) return;
      const messages = chunk.map((message) => toConsumed(batch.topic, batch.partition, message));
      const handled = await this.handleUntilDone(messages, heartbeat, () => isRunning() && !isStale());
      if (!handled) return;
      const last = messages[messages.length - 1].offset;
      resolveOffset(last);
      await this.consumer
        .commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        ])
        .catch((error: unknown) => {
          // Another member joined or this one was dropped while the chunk ran: the chunk is in Postgres but its
          // offset not in Kafka, so whoever owns the partition next re-reads it (a harmless replay). kafkajs
          // rejoins the group for the group errors themselves; its retrier wraps them, which would crash it.
          throw membershipLost(error) ?? error;
        });
      this.metrics.consumed.inc({ topic: batch.topic }, messages.length);
      this.metrics.lag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)),
      );
      await heartbeat();
    }
  }

  /**
   * Runs `work` with heartbeats every interval: a chunk that takes longer than the session timeout (a slow
   * database, a big merge) must not cost this member its place in the group, which would replay the chunk elsewhere
   * while it is still being written here.
   */
  private async whileHeartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs the handler until it succeeds or the consumer stops; false when it stopped first. */
  private async handleUntilDone(
    messages: ConsumedMessage[],
    heartbeat: () => Promise<void>,
    canContinue: () => boolean,
  ): Promise<boolean> {
    const { initialMs, maxMs } = this.options.retry ?? { initialMs: 250, maxMs: 15_000 };
    const correlationId = acceptCorrelationId(messages[0].headers[Header.correlationId]);
    for (let attempt = 1; ; attempt++) {
      const timer = this.metrics.batchSeconds.startTimer({ topic: messages[0].topic });
      try {
        await this.whileHeartbeating(heartbeat, () =>
          runWithCorrelationId(correlationId, () => this.options.handle(messages)),
        );
        timer({ outcome: 'ok' });
        return true;
      } catch (error) {
        timer({ outcome: 'retry' });
        this.metrics.failures.inc({ topic: messages[0].topic });
        const delay = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 16));
        this.logger.warn(
          {
            topic: messages[0].topic,
            partition: messages[0].partition,
            firstOffset: messages[0].offset,
            attempt,
            retryInMs: delay,
            err: describeError(error),
          },
          'batch failed with a transient fault; retrying without skipping',
        );
        if (!(await this.sleepWithHeartbeats(delay, heartbeat, canContinue))) return false;
      }
    }
  }

  private async sleepWithHeartbeats(
    ms: number,
    heartbeat: () => Promise<void>,
    canContinue: () => boolean,
  ): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopping || !canContinue()) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
      await heartbeat().catch(() => undefined); // a failed heartbeat surfaces as isStale() on the next check
    }
    return !this.stopping && canContinue();
  }
}

class ConsumerMetrics {
  readonly consumed: Counter<'topic'>;
  readonly failures: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly batchSeconds: Histogram<'topic' | 'outcome'>;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    this.consumed = new Counter({
      name: 'continuum_kafka_messages_consumed_total',
      help: 'Messages consumed and committed',
      labelNames: ['topic'],
      registers,
    });
    this.failures = new Counter({
      name: 'continuum_kafka_batch_failures_total',
      help: 'Handler attempts that failed with a transient fault and were retried',
      labelNames: ['topic'],
      registers,
    });
    this.lag = new Gauge({
      name: 'continuum_kafka_consumer_lag_messages',
      help: 'Messages behind the high watermark after the last commit, per partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'continuum_kafka_batch_duration_seconds',
      help: 'Time to handle one chunk of messages',
      labelNames: ['topic', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}

function toConsumed(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

const MEMBERSHIP_ERRORS = new Set([
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
]);

/** The group-membership protocol error inside a kafkajs error, if that is what it is. */
export function membershipLost(error: unknown): Error | undefined {
  for (
    let current = error;
    current instanceof Error;
    current = (current as Error & { cause?: unknown }).cause
  ) {
    if (MEMBERSHIP_ERRORS.has((current as Error & { type?: string }).type ?? '')) return current;
    if ((current as Error & { cause?: unknown }).cause === current) break;
  }
  return undefined;
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** Enough to diagnose a failure without dumping payloads: type, message and a driver's error code. */
function describeError(error: unknown): Record<string, unknown> | string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message.slice(0, 500),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
