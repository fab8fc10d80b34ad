import type { Kafka } from 'kafkajs';
import { ensureTopics } from '@continuum/messaging';

export interface IsolatedIngest {
  topics: { fhir: string; hl7: string; dlq: string };
  /** The ingest app's settings for these topics and a consumer group of its own (metrics on a free port). */
  env: Record<string, string>;
  /** Creates the topics, sized like the real ones for large bundles. */
  createTopics(kafka: Kafka, partitions: number): Promise<void>;
}

/**
 * Inbound topics, dead-letter topic and consumer group owned by one test, scenario or benchmark run, so several can
 * share one Kafka: `<prefix>.fhir.<suffix>` and so on.
 */
export function isolatedIngest(prefix: string, suffix: string): IsolatedIngest {
  const topics = {
    fhir: `${prefix}.fhir.${suffix}`,
    hl7: `${prefix}.hl7.${suffix}`,
    dlq: `${prefix}.dlq.${suffix}`,
  };
  return {
    topics,
    env: {
      KAFKA_TOPIC_FHIR_INBOUND: topics.fhir,
      KAFKA_TOPIC_HL7V2_INBOUND: topics.hl7,
      KAFKA_TOPIC_INGEST_DLQ: topics.dlq,
      INGEST_CONSUMER_GROUP: `${prefix}-ingest-${suffix}`,
      INGEST_METRICS_PORT: '0',
    },
    createTopics: (kafka, partitions) =>
      ensureTopics(
        kafka,
        Object.values(topics).map((name) => ({
          name,
          partitions,
          description: `${prefix} ingest`,
          config: { 'max.message.bytes': '10485760' },
        })),
      ).then(() => undefined),
  };
}
