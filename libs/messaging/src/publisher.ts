import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { currentCorrelationId } from '@continuum/observability';
import { Header } from './headers';

export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
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
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => ({
        key: message.key ?? null,
        value: message.value,
        headers: {
          ...(correlationId ? { [Header.correlationId]: correlationId } : {}),
          ...message.headers,
        },
      })),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.producer.disconnect();
    this.connected = false;
  }
}
