import { IngestAppConfig, loadConfig } from '@continuum/config';
import { createLogger } from '@continuum/observability';

/**
 * The supervising primary's view of the ingest app: every setting validated before a worker is forked (a bad one
 * stops it readably), and how many consumer-group members to run (INGEST_CONSUMERS). It loads nothing else.
 */
export function planIngest() {
  const config = loadConfig(IngestAppConfig);
  return { workers: config.ingest.consumers, logger: createLogger('ingest', config.log.level) };
}
