import type { Command } from 'commander';
import { createKafka, ensureTopics, topicSpecs } from '@continuum/messaging';
import { withCliContext } from '../cli-context';

/** `kafka:topics`: creates Continuum's topics with their partition counts and configs (idempotent). */
export function registerKafkaTopics(program: Command): void {
  program
    .command('kafka:topics')
    .description(
      "Create Continuum's Kafka topics (partitions and configs from libs/messaging/src/topics.json)",
    )
    .action(() =>
      withCliContext(async (context) => {
        const specs = topicSpecs(context.config.kafka.topics);
        const created = await ensureTopics(
          createKafka(context.config.kafka, context.logger, 'cli-admin'),
          specs,
        );
        for (const spec of specs) {
          process.stdout.write(
            `${spec.name}: ${spec.partitions} partitions${created.includes(spec.name) ? ' (created)' : ''}\n`,
          );
        }
      }),
    );
}
