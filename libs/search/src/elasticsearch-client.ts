import { Client } from '@elastic/elasticsearch';
import type { ElasticsearchConfig } from '@continuum/config';

/**
 * The Elasticsearch client. Readiness is checked with cluster health, not `info()`: the minimal distribution run
 * natively here answers `GET /` with 405 (see shared/INFRA-NOTES.md), and cluster health is what matters anyway.
 */
export function createElasticsearchClient(
  config: ElasticsearchConfig,
  options: { requestTimeoutMs?: number; maxRetries?: number } = {},
): Client {
  return new Client({
    node: config.node,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    compression: false,
  });
}

export type { Client as ElasticsearchClient };
