import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { currentCorrelationId } from '@continuum/observability';
import { Header } from './headers';

export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Kafka checks its size limit (message.max.bytes, max.message.bytes) against a whole record batch, not one
 * record, so a send of many messages is split into requests of about this size; a single larger message (up to
 * the topic's limit, e.g. a whole-patient Bundle) goes alone.
 */
const MAX_REQUEST_BYTES = 900 * 1024;

function sizeOf(message: OutgoingMessage): number {
  const headers = Object.entries(message.headers ?? {}).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  return Buffer.byteLength(message.value) + (message.key ? Buffer.byteLength(message.key) : 0) + headers + 64;
}

function* bySize(messages: OutgoingMessage[], maxBytes: number): Generator<OutgoingMessage[]> {
  let batch: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (batch.length > 0 && bytes + size > maxBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * An idempotent producer (acks from all in-sync replicas, no duplicates on retry) that stamps the current
 * correlation id on every message so consumers can carry it on.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    // The default (murmur2, Java-compatible) partitioner: one key always lands on the same partition as it would
    // from a Java or Python ETL producer, which keeps a patient's messages in order whoever sends them.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const correlationId = currentCorrelationId();
    for (const batch of bySize(messages, MAX_REQUEST_BYTES)) {
      await this.producer.send({
        topic,
        acks: -1,
        messages: batch.map((message) => ({
          key: message.key ?? null,
          value: message.value,
          headers: {
            ...(correlationId ? { [Header.correlationId]: correlationId } : {}),
            ...message.headers,
          },
        })),
      });
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.producer.disconnect();
    this.connected = false;
  }
}
