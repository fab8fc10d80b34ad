import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { KafkaTopicsConfig } from '@continuum/config';
import catalogue from './topics.json';

export type TopicKey = keyof typeof catalogue;

export interface TopicSpec {
  name: string;
  partitions: number;
  description: string;
  /** Topic-level overrides, e.g. max.message.bytes for topics that carry whole-patient Bundles. */
  config?: Record<string, string>;
}

/** Continuum's topics with their partition counts, named as configured (names can be overridden per environment). */
export function topicSpecs(topics: KafkaTopicsConfig): TopicSpec[] {
  return (Object.keys(catalogue) as TopicKey[]).map((key) => ({ ...catalogue[key], name: topics[key] }));
}

/**
 * Creates any missing topic with its partition count and config; an existing topic keeps its partitions (they are
 * never changed silently: that would move keys between partitions) but gets the config overrides applied.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const existingWithConfig = specs.filter((spec) => existing.has(spec.name) && Object.keys(spec.config ?? {}).length > 0);
    if (existingWithConfig.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: existingWithConfig.map((spec) => ({
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    return missing.map((spec) => spec.name);
  } finally {
    await admin.disconnect();
  }
}
