export * from './run-clustered';
export { appMetrics, joinClusterMetrics } from './cluster-metrics';
export { clusterSize, workerShareOf } from './cluster.worker';
export { superviseWorkers, type SupervisorOptions } from './cluster.supervisor';
