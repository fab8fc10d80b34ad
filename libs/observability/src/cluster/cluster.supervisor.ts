import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../logger';
import {
  CLUSTER_SIZE_VARIABLE,
  isMessage,
  METRICS_REQUEST,
  METRICS_RESPONSE,
  WORKER_READY,
  type MetricsRequest,
  type MetricsResponse,
} from './cluster.messages';

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /** First restart delay of a worker that died; doubled on each death in a row, up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A worker that lived this long before dying starts its backoff again from restartDelayMs. */
  stableAfterMs?: number;
  /** How long SIGTERM waits for the workers to drain before killing them. */
  shutdownTimeoutMs?: number;
}

/**
 * The primary process of a clustered app: it forks the workers, restarts a worker that dies (with backoff), answers
 * the workers' requests for the cluster-wide metrics, and on SIGTERM/SIGINT passes the signal on and waits for every
 * worker to drain. It opens no connection and serves nothing itself; the workers share the listening ports.
 *
 * A worker that fails before it ever started (a dependency unreachable at boot) while no worker has started yet
 * stops the whole app with exit 1, as a single process would: the orchestrator, not this loop, retries boots.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 30_000;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
  const { logger } = options;
  const aggregator = new AggregatorRegistry();
  const startedAt = new Map<Worker, number>();
  const ready = new Set<Worker>();
  let everReady = false;
  let deathsInARow = 0;
  let stopping = false;
  let exitCode = 0;
  const exitWhenNoWorkers = (): void => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };

  const fork = (): void => {
    const worker = cluster.fork({ [CLUSTER_SIZE_VARIABLE]: String(options.workers) });
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (isMessage(message, WORKER_READY)) {
        ready.add(worker);
        everReady = true;
      } else if (isMessage<MetricsRequest>(message, METRICS_REQUEST)) {
        answerMetrics(worker, message.id);
      }
    });
  };

  const answerMetrics = (worker: Worker, id: number): void => {
    const reply = (response: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: METRICS_RESPONSE, id, ...response });
    };
    aggregator.clusterMetrics().then(
      (body) => reply({ body }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    const wasReady = ready.delete(worker);
    startedAt.delete(worker);
    if (stopping) return exitWhenNoWorkers();
    if (!wasReady && !everReady) {
      logger.error({ pid: worker.process.pid, code, signal }, 'a worker failed to start: stopping');
      stopping = true;
      exitCode = 1;
      killAll('SIGTERM');
      return exitWhenNoWorkers();
    }
    deathsInARow = lived >= stableAfterMs ? 1 : deathsInARow + 1;
    const delay = Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (deathsInARow - 1));
    logger.warn(
      { pid: worker.process.pid, code, signal, restartInMs: delay },
      'a worker died: restarting it',
    );
    setTimeout(() => !stopping && fork(), delay);
  });

  const killAll = (signal: NodeJS.Signals): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, workers: Object.keys(cluster.workers ?? {}).length },
      'stopping: draining the workers',
    );
    killAll(signal);
    exitWhenNoWorkers();
    setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, 'workers did not drain in time: killing them');
      killAll('SIGKILL');
      process.exit(1);
    }, shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  logger.info({ workers: options.workers }, 'starting workers');
  for (let i = 0; i < options.workers; i += 1) fork();
}
