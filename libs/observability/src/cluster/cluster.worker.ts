import cluster from 'node:cluster';
import { CLUSTER_SIZE_VARIABLE, WORKER_READY } from './cluster.messages';

/** Waits this long for a graceful close after the primary vanished, then exits regardless. */
const ORPHAN_EXIT_AFTER_MS = 10_000;

/**
 * Worker-side duties: tell the primary when the app has started, and never outlive it. If the primary goes away
 * (SIGKILL, crash) the IPC channel closes; the worker then closes the app as on SIGTERM (stop consuming, finish the
 * batch in hand, commit, close pools) and exits, so no orphan keeps consuming or holding a port.
 */
export function attachToPrimary(): void {
  let signalled = false;
  process.once('SIGTERM', () => (signalled = true));
  process.once('SIGINT', () => (signalled = true));
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), ORPHAN_EXIT_AFTER_MS).unref();
    if (!signalled) process.kill(process.pid, 'SIGTERM');
  });
}

export function reportReady(): void {
  if (cluster.isWorker && process.connected) process.send?.({ type: WORKER_READY });
}

/** Whether this process is one of several workers of a clustered app. */
export function clusterSize(): number {
  if (!cluster.isWorker) return 1;
  const size = Number(process.env[CLUSTER_SIZE_VARIABLE]);
  return Number.isInteger(size) && size > 0 ? size : 1;
}

/**
 * This worker's share of a per-app limit (e.g. a client's request rate): connections are spread round-robin over
 * the workers, so each enforces limit / workers and the app as a whole enforces the configured limit.
 */
export function workerShareOf(limit: number): number {
  return Math.max(1, Math.ceil(limit / clusterSize()));
}
