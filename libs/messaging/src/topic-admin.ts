import type { Kafka } from 'kafkajs';
import type { KafkaTopicsConfig } from '@continuum/config';
import catalogue from './topics.json';

export type TopicKey = keyof typeof catalogue;

export interface TopicSpec {
  name: string;
  partitions: number;
  description: string;
}

/** Continuum's topics with their partition counts, named as configured (names can be overridden per environment). */
export function topicSpecs(topics: KafkaTopicsConfig): TopicSpec[] {
  return (Object.keys(catalogue) as TopicKey[]).map((key) => ({ ...catalogue[key], name: topics[key] }));
}

/** Creates any missing topic with its partition count; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor })),
      });
    }
    return missing.map((spec) => spec.name);
  } finally {
    await admin.disconnect();
  }
}
