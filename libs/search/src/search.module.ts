import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import { ElasticsearchConfig } from '@continuum/config';
import { createElasticsearchClient } from './elasticsearch-client';
import { ElasticsearchHealthCheck } from './elasticsearch.health';
import { SearchIndexManager } from './indexing/search-index.manager';
import { SearchIndexNaming } from './indexing/search-index.naming';
import { Aggregations } from './query/aggregations.service';
import { FullTextSearch } from './query/full-text-search.service';
import { PatientFinder } from './query/patient-finder.service';

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
    {
      provide: SearchIndexNaming,
      useFactory: (config: ElasticsearchConfig) => new SearchIndexNaming(config.indexPrefix),
      inject: [ElasticsearchConfig],
    },
    ...[SearchIndexManager, PatientFinder, FullTextSearch, Aggregations].map((service) => ({
      provide: service,
      useFactory: (client: Client, naming: SearchIndexNaming) => new service(client, naming),
      inject: [ELASTICSEARCH, SearchIndexNaming],
    })),
  ],
  exports: [
    ELASTICSEARCH,
    ElasticsearchHealthCheck,
    SearchIndexNaming,
    SearchIndexManager,
    PatientFinder,
    FullTextSearch,
    Aggregations,
  ],
})
export class SearchModule implements OnApplicationShutdown {
  constructor(@Inject(ELASTICSEARCH) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
