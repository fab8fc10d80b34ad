import 'reflect-metadata';
import { runMain } from '@continuum/observability';
import { startIngest } from './ingest.bootstrap';

runMain('ingest', startIngest);
