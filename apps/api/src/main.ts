import 'reflect-metadata';
import { runClustered } from '@continuum/observability';
import { planApi } from './api.plan';

// The app's modules load in the workers only: the primary just supervises.
runClustered({ app: 'api', plan: planApi, start: async () => (await import('./api.bootstrap')).startApi() });
