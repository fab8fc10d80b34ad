import { ElasticsearchConfig } from '@continuum/config';
import {
  createElasticsearchClient,
  type ElasticsearchClient,
  ElasticsearchHealthCheck,
  PatientCandidates,
  PatientFinder,
  SearchIndexNaming,
} from '@continuum/search';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PatientFindingService } from './patient-finding.service';

const PATIENT_FINDING_ELASTICSEARCH = Symbol('PATIENT_FINDING_ELASTICSEARCH');

/**
 * Patient finding (PDQm) for the API: PatientCandidates bound to Elasticsearch's PatientFinder (read-only: the API
 * never writes indices), with a short timeout so that an unavailable cluster answers 503 quickly, and the cluster's
 * health for /health (optional: the API stays ready without it).
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
    PatientFindingService,
  ],
  exports: [PatientFindingService, ElasticsearchHealthCheck],
})
export class PatientFindingModule implements OnApplicationShutdown {
  constructor(@Inject(PATIENT_FINDING_ELASTICSEARCH) private readonly client: ElasticsearchClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
