import { collectDefaultMetrics, Registry } from 'prom-client';
import { joinClusterMetrics } from './cluster/cluster-metrics';

/**
 * One Prometheus registry per process, with the default Node.js metrics (heap, event loop lag, GC, RSS)
 * labelled by app. Modules register their own counters and histograms on it. In a cluster worker it also joins the
 * primary's aggregation, so /metrics shows the whole app (`appMetrics`).
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  joinClusterMetrics(registry);
  return registry;
}

export { Registry };
