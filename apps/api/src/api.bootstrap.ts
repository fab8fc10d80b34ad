import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ApiAppConfig, HttpConfig, loadConfig } from '@continuum/config';
import { preloadValidation } from '@continuum/fhir';
import { AppModule } from './app.module';

/** The API application as production runs it; tests create it through this too, so they test the same wiring. */
export async function createApiApp(
  options: { logs: boolean } = { logs: true },
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: options.logs,
    logger: options.logs ? undefined : false,
    abortOnError: false,
    // The FHIR module parses bodies itself (media types, size limit, OperationOutcomes); Express's own JSON parser
    // would otherwise run first with its 100 KB limit and turn a large application/json body into a 500.
    bodyParser: false,
  });
  if (options.logs) app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  return app;
}

/** One API process (a worker, or the whole API with API_WORKERS=1). */
export async function startApi(): Promise<void> {
  loadConfig(ApiAppConfig); // fail fast with a readable message before Nest starts (it validates again in its graph)
  const app = await createApiApp();
  app.enableShutdownHooks();
  const http = app.get(HttpConfig);
  // before listening: a worker takes connections only once its first write would not load the definitions
  preloadValidation();
  await app.listen(http.port, http.host);
  app.get(Logger).log(`api listening on http://${http.host}:${http.port} (FHIR base ${http.fhirBaseUrl})`);
}
