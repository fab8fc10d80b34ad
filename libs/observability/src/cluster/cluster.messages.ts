/** What the primary and its workers say to each other over the cluster's IPC channel. */
export const WORKER_READY = 'continuum:worker-ready';
export const METRICS_REQUEST = 'continuum:metrics-request';
export const METRICS_RESPONSE = 'continuum:metrics-response';

/** Set by the supervisor in each worker's environment: how many workers share the app's work. */
export const CLUSTER_SIZE_VARIABLE = 'CONTINUUM_CLUSTER_SIZE';

export interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

export interface MetricsResponse {
  type: typeof METRICS_RESPONSE;
  id: number;
  body?: string;
  error?: string;
}

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
