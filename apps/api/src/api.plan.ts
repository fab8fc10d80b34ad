import { ApiAppConfig, loadConfig } from '@continuum/config';
import { createLogger } from '@continuum/observability';

/**
 * The supervising primary's view of the API: every setting validated before a worker is forked (a bad one stops it
 * readably), and how many workers share the port (API_WORKERS). It loads nothing else.
 */
export function planApi() {
  const config = loadConfig(ApiAppConfig);
  return { workers: config.workers.count, logger: createLogger('api', config.log.level) };
}
