import type { Admin, Kafka } from 'kafkajs';
import type { HealthCheck } from '@continuum/observability';

/** Kafka is ready when the cluster answers a metadata request with at least one broker. */
export class KafkaHealthCheck implements HealthCheck {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(private readonly kafka: Kafka) {}

  async check(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    try {
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no broker available');
    } catch (error) {
      // Reconnect next time: a broken admin connection does not heal itself reliably.
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
