import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExporterAppConfig, loadConfig } from '@continuum/config';
import { runMain } from '@continuum/observability';
import { ExporterModule } from './exporter.module';

runMain('exporter', async () => {
  loadConfig(ExporterAppConfig); // a bad setting stops the process with its name before anything connects
  const app = await NestFactory.createApplicationContext(ExporterModule.forRoot(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
});
