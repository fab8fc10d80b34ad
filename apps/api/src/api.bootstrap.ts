import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ApiAppConfig, HttpConfig, loadConfig } from '@continuum/config';
import { AppModule } from './app.module';

export async function startApi(): Promise<void> {
  loadConfig(ApiAppConfig); // fail fast with a readable message before Nest starts (it validates again in its graph)
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const http = app.get(HttpConfig);
  await app.listen(http.port, http.host);
  app.get(Logger).log(`api listening on http://${http.host}:${http.port} (FHIR base ${http.fhirBaseUrl})`);
}
