import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import { ElasticsearchConfig } from '@continuum/config';
import { createElasticsearchClient } from './elasticsearch-client';
import { ElasticsearchHealthCheck } from './elasticsearch.health';

export const ELASTICSEARCH = Symbol('ELASTICSEARCH');

@Global()
@Module({
  providers: [
    {
      provide: ELASTICSEARCH,
      useFactory: (config: ElasticsearchConfig) => createElasticsearchClient(config),
      inject: [ElasticsearchConfig],
    },
    {
      provide: ElasticsearchHealthCheck,
      useFactory: (client: Client) => new ElasticsearchHealthCheck(client),
      inject: [ELASTICSEARCH],
    },
  ],
  exports: [ELASTICSEARCH, ElasticsearchHealthCheck],
})
export class SearchModule implements OnApplicationShutdown {
  constructor(@Inject(ELASTICSEARCH) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
