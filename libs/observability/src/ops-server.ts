import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { appMetrics } from './cluster/cluster-metrics';
import { checkHealth, type HealthCheck } from './health';

/**
 * A small HTTP server for processes that do not serve HTTP otherwise (ingest, indexer): GET /metrics for
 * Prometheus and GET /health for liveness and readiness. Nothing else is exposed.
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  checks: readonly HealthCheck[];
}): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      appMetrics(options.registry)
        .then((body) => response.writeHead(200, { 'Content-Type': options.registry.contentType }).end(body))
        .catch(() => response.writeHead(500).end());
      return;
    }
    if (path === '/health') {
      checkHealth(options.checks)
        .then((report) =>
          response
            .writeHead(report.status === 'down' ? 503 : 200, { 'Content-Type': 'application/json' })
            .end(JSON.stringify(report)),
        )
        .catch(() => response.writeHead(500).end());
      return;
    }
    response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return server;
}
