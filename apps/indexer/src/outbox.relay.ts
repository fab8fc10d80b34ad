import { changeEventKey, changeEventOf } from '@continuum/search';
import type { KafkaPublisher } from '@continuum/messaging';
import type { Logger } from '@continuum/observability';
import type { OutboxRepository } from '@continuum/store';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface OutboxRelayOptions {
  topic: string;
  batchSize: number;
  /** Pause when the outbox is empty. */
  idlePollMs: number;
  retry: { initialMs: number; maxMs: number };
}

/**
 * Moves committed changes from the Postgres outbox to the `fhir.changes` topic: claim a batch (SKIP LOCKED, so
 * replicas share the work), publish with the idempotent producer, delete the rows in the same transaction once
 * Kafka acknowledged. If Kafka is down the transaction rolls back and the rows wait; nothing is lost.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly relayed: Counter;
  private readonly failures: Counter;
  private readonly backlogRows: Gauge;
  private readonly backlogSeconds: Gauge;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: KafkaPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
    registry?: Registry,
  ) {
    const registers = registry ? [registry] : [];
    this.relayed = new Counter({
      name: 'continuum_relay_changes_total',
      help: 'Outbox changes published to Kafka',
      registers,
    });
    this.failures = new Counter({
      name: 'continuum_relay_failures_total',
      help: 'Relay batches that failed and were retried',
      registers,
    });
    this.backlogRows = new Gauge({
      name: 'continuum_relay_backlog_rows',
      help: 'Outbox rows not yet relayed',
      registers,
      collect: () => this.sampleBacklog(),
    });
    this.backlogSeconds = new Gauge({
      name: 'continuum_relay_backlog_age_seconds',
      help: 'Age of the oldest outbox row',
      registers,
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Lets the batch in hand finish (its transaction commits or rolls back), then returns. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const relayed = await this.outbox.relayBatch(this.options.batchSize, async (changes) => {
          await this.publisher.publish(
            this.options.topic,
            changes.map((change) => {
              const event = changeEventOf(change);
              return { key: changeEventKey(event), value: JSON.stringify(event) };
            }),
          );
        });
        this.relayed.inc(relayed);
        failures = 0;
        if (relayed < this.options.batchSize) await this.sleep(this.options.idlePollMs);
      } catch (error) {
        failures++;
        this.failures.inc();
        const delay = Math.min(
          this.options.retry.maxMs,
          this.options.retry.initialMs * 2 ** Math.min(failures - 1, 16),
        );
        this.logger.warn(
          { attempt: failures, retryInMs: delay, err: describe(error) },
          'outbox relay failed; the rows stay and are retried',
        );
        await this.sleep(delay);
      }
    }
  }

  private async sampleBacklog(): Promise<void> {
    try {
      const { rows, oldestChangedAt } = await this.outbox.backlog();
      this.backlogRows.set(rows);
      this.backlogSeconds.set(
        oldestChangedAt ? Math.max(0, (Date.now() - oldestChangedAt.getTime()) / 1000) : 0,
      );
    } catch {
      // Postgres unavailable: /health reports it; the gauges keep their last values.
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function describe(error: unknown): { type: string; message: string } {
  return error instanceof Error
    ? { type: error.name, message: error.message.slice(0, 300) }
    : { type: 'unknown', message: String(error) };
}
