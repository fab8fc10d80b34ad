import type { Client } from '@elastic/elasticsearch';
import type { HealthCheck } from '@continuum/observability';

/** Elasticsearch is ready when the cluster is at least yellow (green needs replicas a single node cannot hold). */
export class ElasticsearchHealthCheck implements HealthCheck {
  readonly name = 'elasticsearch';

  constructor(private readonly client: Client) {}

  async check(): Promise<void> {
    const health = await this.client.cluster.health({ timeout: '2s' });
    if (health.status === 'red') throw new Error('cluster status is red');
  }
}
