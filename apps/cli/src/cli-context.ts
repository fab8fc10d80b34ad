import { CliAppConfig, loadConfig } from '@continuum/config';
import { createKafka, KafkaPublisher } from '@continuum/messaging';
import { createLogger, type Logger } from '@continuum/observability';
import { createElasticsearchClient, type ElasticsearchClient } from '@continuum/search';
import { createSql } from '@continuum/store';
import type postgres from 'postgres';

/** What a CLI command needs, built from the validated config on demand and closed when the command ends. */
export class CliContext {
  readonly config = loadConfig(CliAppConfig);
  readonly logger: Logger = createLogger(
    'cli',
    this.config.log.level === 'info' ? 'warn' : this.config.log.level,
  );
  private publisherInstance?: KafkaPublisher;
  private sqlInstance?: postgres.Sql;
  private elasticsearchInstance?: ElasticsearchClient;

  get publisher(): KafkaPublisher {
    this.publisherInstance ??= new KafkaPublisher(createKafka(this.config.kafka, this.logger, 'cli'));
    return this.publisherInstance;
  }

  get sql(): postgres.Sql {
    this.sqlInstance ??= createSql(this.config.database, { applicationName: 'continuum-cli' });
    return this.sqlInstance;
  }

  get elasticsearch(): ElasticsearchClient {
    this.elasticsearchInstance ??= createElasticsearchClient(this.config.elasticsearch);
    return this.elasticsearchInstance;
  }

  async close(): Promise<void> {
    await this.publisherInstance?.disconnect();
    await this.sqlInstance?.end({ timeout: 5 });
    await this.elasticsearchInstance?.close();
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
