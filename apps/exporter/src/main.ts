import 'reflect-metadata';
import { runClustered } from '@continuum/observability';
import { planExporter } from './exporter.plan';

// The app's modules load in the workers only: the primary just supervises.
runClustered({
  app: 'exporter',
  plan: planExporter,
  start: async () => (await import('./exporter.bootstrap')).startExporter(),
});
