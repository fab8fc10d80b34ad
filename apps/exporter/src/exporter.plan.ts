import { ExporterAppConfig, loadConfig } from '@continuum/config';
import { createLogger } from '@continuum/observability';

/**
 * The supervising primary's view of the exporter: every setting validated before a worker is forked (a bad one
 * stops it readably), and how many exporter processes to run (EXPORTER_WORKERS): the slices of one large export
 * are read by all of them at once. It loads nothing else.
 */
export function planExporter() {
  const config = loadConfig(ExporterAppConfig);
  return { workers: config.workers.count, logger: createLogger('exporter', config.log.level) };
}
