import { NestFactory } from '@nestjs/core';
import { ExporterAppConfig, loadConfig } from '@continuum/config';
import { ExporterModule } from './exporter.module';

/** One exporter process: a worker claiming export jobs and slices (or the whole app with EXPORTER_WORKERS=1). */
export async function startExporter(): Promise<void> {
  // an export copies every resource's bytes out of the driver's receive buffer: from 1 MiB slabs rather than 8 KiB
  // ones, so that a page costs a few allocations instead of one per three resources (docs/bulk-export.md)
  Buffer.poolSize = 1024 * 1024;
  loadConfig(ExporterAppConfig); // a bad setting stops the process with its name before anything connects
  const app = await NestFactory.createApplicationContext(ExporterModule.forRoot(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}
