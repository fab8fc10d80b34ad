import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IndexerAppConfig, loadConfig } from '@continuum/config';
import { runMain } from '@continuum/observability';
import { IndexerModule } from './indexer.module';

runMain('indexer', async () => {
  loadConfig(IndexerAppConfig); // a bad setting stops the process with its name before anything connects
  const app = await NestFactory.createApplicationContext(IndexerModule.forRoot(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
});
