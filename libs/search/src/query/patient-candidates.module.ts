import { ElasticsearchConfig } from '@continuum/config';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createElasticsearchClient, type ElasticsearchClient } from '../elasticsearch-client';
import { ElasticsearchHealthCheck } from '../elasticsearch.health';
import { SearchIndexNaming } from '../indexing/search-index.naming';
import { PatientCandidates, PatientFinder } from './patient-finder.service';

const PATIENT_FINDING_ELASTICSEARCH = Symbol('PATIENT_FINDING_ELASTICSEARCH');

/**
 * Patient finding for an app that serves people (the API's PDQm, the portal's find page): PatientCandidates bound
 * to Elasticsearch's PatientFinder (read-only: these apps never write indices), with a short timeout so that an
 * unavailable cluster is told quickly, and the cluster's health (optional for the app's readiness).
 */
@Module({
  providers: [
    {
      provide: PATIENT_FINDING_ELASTICSEARCH,
      useFactory: (config: ElasticsearchConfig) =>
        createElasticsearchClient(config, { requestTimeoutMs: 5_000, maxRetries: 1 }),
      inject: [ElasticsearchConfig],
    },
    {
      provide: PatientCandidates,
      useFactory: (client: ElasticsearchClient, config: ElasticsearchConfig) =>
        new PatientFinder(client, new SearchIndexNaming(config.indexPrefix)),
      inject: [PATIENT_FINDING_ELASTICSEARCH, ElasticsearchConfig],
    },
    {
      provide: ElasticsearchHealthCheck,
      useFactory: (client: ElasticsearchClient) => new ElasticsearchHealthCheck(client),
      inject: [PATIENT_FINDING_ELASTICSEARCH],
    },
  ],
  exports: [PatientCandidates, ElasticsearchHealthCheck],
})
export class PatientCandidatesModule implements OnApplicationShutdown {
  constructor(@Inject(PATIENT_FINDING_ELASTICSEARCH) private readonly client: ElasticsearchClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
