import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import {
  isMessage,
  METRICS_REQUEST,
  METRICS_RESPONSE,
  type MetricsRequest,
  type MetricsResponse,
} from './cluster.messages';

const TIMEOUT_MS = 10_000;
let nextRequest = 0;
const pending = new Map<number, (response: MetricsResponse) => void>();

/**
 * In a cluster worker: offers the registry to the primary's aggregation (prom-client's AggregatorRegistry asks every
 * worker for its metrics as JSON and sums counters and histograms; gauges per their aggregator). Elsewhere: nothing.
 */
export function joinClusterMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // registers the worker's answer to the primary's requests
  AggregatorRegistry.setRegistries([registry]);
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, METRICS_RESPONSE)) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
}

/**
 * The /metrics body: in a cluster worker, the whole app's (every worker's metrics aggregated by the primary), so one
 * scrape of the shared port sees the app, whichever worker answers; in a single process, the registry's own.
 */
export function appMetrics(registry: Registry): Promise<string> {
  if (!cluster.isWorker || !process.connected || !process.send) return registry.metrics();
  const id = nextRequest++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer the metrics request'));
    }, TIMEOUT_MS);
    pending.set(id, (response) => {
      clearTimeout(timer);
      if (response.error !== undefined || response.body === undefined)
        reject(new Error(response.error ?? 'empty metrics'));
      else resolve(response.body);
    });
    process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
  });
}
