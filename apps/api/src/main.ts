import 'reflect-metadata';
import { runMain } from '@continuum/observability';
import { startApi } from './api.bootstrap';

runMain('api', startApi);
