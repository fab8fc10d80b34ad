import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { IngestAppConfig, loadConfig } from '@continuum/config';
import { preloadValidation } from '@continuum/fhir';
import { IngestModule } from './ingest.module';

/** One ingest process: one consumer-group member (a worker, or the whole app with INGEST_CONSUMERS=1). */
export async function startIngest(): Promise<void> {
  loadConfig(IngestAppConfig); // fail fast with a readable message before Nest starts
  preloadValidation(); // before joining the group: the first chunk would otherwise load the definitions
  const app = await NestFactory.createApplicationContext(IngestModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}
