import 'reflect-metadata';
import { runMain } from '@continuum/observability';
import { startPortal } from './portal.bootstrap';

runMain('portal', startPortal);
