/**
 * A small clustered app for the supervisor's tests: each worker answers GET / with its pid and counts the requests
 * it served in a counter; GET /metrics is the app's aggregated view. Its settings come from the environment:
 * FIXTURE_PORT, FIXTURE_WORKERS, FIXTURE_FAIL_AT_START ('1' makes every worker fail before it starts).
 */
import { createServer } from 'node:http';
import { Counter } from 'prom-client';
import { createLogger } from '../../logger';
import { createMetricsRegistry } from '../../metrics';
import { appMetrics } from '../cluster-metrics';
import { runClustered } from '../run-clustered';

runClustered({
  app: 'fixture',
  plan: () => ({ workers: Number(process.env.FIXTURE_WORKERS), logger: createLogger('fixture', 'info') }),
  start: async () => {
    if (process.env.FIXTURE_FAIL_AT_START === '1') throw new Error('database unreachable');
    const registry = createMetricsRegistry('fixture');
    const served = new Counter({ name: 'fixture_requests_total', help: 'requests', registers: [registry] });
    const server = createServer((request, response) => {
      if (request.url === '/metrics') {
        appMetrics(registry).then(
          (body) => response.end(body),
          (error: Error) => response.writeHead(500).end(error.message),
        );
        return;
      }
      served.inc();
      response.setHeader('connection', 'close');
      response.end(String(process.pid));
    });
    await new Promise<void>((resolve) =>
      server.listen(Number(process.env.FIXTURE_PORT), '127.0.0.1', resolve),
    );
    process.once('SIGTERM', () => server.close(() => process.exit(0)));
  },
});
