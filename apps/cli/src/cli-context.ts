import { CliAppConfig, loadConfig } from '@continuum/config';
import { createKafka, KafkaPublisher } from '@continuum/messaging';
import { createLogger, type Logger } from '@continuum/observability';

/** What a CLI command needs, built from the validated config on demand and closed when the command ends. */
export class CliContext {
  readonly config = loadConfig(CliAppConfig);
  readonly logger: Logger = createLogger(
    'cli',
    this.config.log.level === 'info' ? 'warn' : this.config.log.level,
  );
  private publisherInstance?: KafkaPublisher;

  get publisher(): KafkaPublisher {
    this.publisherInstance ??= new KafkaPublisher(createKafka(this.config.kafka, this.logger, 'cli'));
    return this.publisherInstance;
  }

  async close(): Promise<void> {
    await this.publisherInstance?.disconnect();
  }
}

/** Runs a command body with a context and always closes it. */
export async function withCliContext<T>(body: (context: CliContext) => Promise<T>): Promise<T> {
  const context = new CliContext();
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}
