import 'reflect-metadata';
import { runClustered } from '@continuum/observability';
import { planIngest } from './ingest.plan';

// The app's modules load in the workers only: the primary just supervises.
runClustered({
  app: 'ingest',
  plan: planIngest,
  start: async () => (await import('./ingest.bootstrap')).startIngest(),
});
