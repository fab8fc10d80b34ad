import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, with the default Node.js metrics (heap, event loop lag, GC, RSS)
 * labelled by app. Modules register their own counters and histograms on it.
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export { Registry };
