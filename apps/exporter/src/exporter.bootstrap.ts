import { NestFactory } from '@nestjs/core';
import { ExporterAppConfig, loadConfig } from '@continuum/config';
import { ExporterModule } from './exporter.module';

/** One exporter process: a worker claiming export jobs and slices (or the whole app with EXPORTER_WORKERS=1). */
export async function startExporter(): Promise<void> {
  loadConfig(ExporterAppConfig); // a bad setting stops the process with its name before anything connects
  const app = await NestFactory.createApplicationContext(ExporterModule.forRoot(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}
