import cluster from 'node:cluster';
import { runMain } from '../run-main';
import type { Logger } from '../logger';
import { superviseWorkers } from './cluster.supervisor';
import { attachToPrimary, reportReady } from './cluster.worker';

export interface ClusteredApp {
  app: string;
  /**
   * Reads and validates the app's config in the primary (a bad setting stops it before any worker is forked) and
   * says how many workers to run and how to log; 1 runs `start` in this process without a supervisor.
   */
  plan: () => { workers: number; logger: Logger };
  /** Starts the app in a worker; it must close gracefully on SIGTERM (Nest's enableShutdownHooks does). */
  start: () => Promise<void>;
}

/**
 * An app's main: one process per worker sharing the listening ports (Node cluster) under a primary that only
 * supervises (cluster.supervisor.ts), or the app itself when one worker is asked for.
 */
export function runClustered({ app, plan, start }: ClusteredApp): void {
  if (cluster.isWorker) {
    attachToPrimary();
    runMain(app, async () => {
      await start();
      reportReady();
    });
    return;
  }
  runMain(app, async () => {
    const { workers, logger } = plan();
    if (workers <= 1) return start();
    superviseWorkers({ workers, logger });
  });
}
