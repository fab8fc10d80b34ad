import { dirname, join } from 'node:path';
import { loadConfig, PortalAppConfig, PortalConfig } from '@continuum/config';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelationId } from '@continuum/observability';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import nunjucks from 'nunjucks';
import { PortalModule } from './portal.module';
import { cuiDate, SENSITIVE_CATEGORY_NAMES } from '@continuum/fhir';

/** Where nhsuk-frontend keeps its templates, styles, scripts and assets (served from node_modules, not copied). */
const NHSUK = join(dirname(require.resolve('nhsuk-frontend/package.json')), 'dist');

/** The portal as production runs it; tests create it through this too, so they test the same wiring. */
export async function createPortalApp(
  options: { logs: boolean } = { logs: true },
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(PortalModule, {
    bufferLogs: options.logs,
    logger: options.logs ? undefined : false,
    abortOnError: false,
  });
  if (options.logs) app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use((request: Request, response: Response, next: NextFunction) => {
    const id = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
    response.setHeader(CORRELATION_HEADER, id);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'SAMEORIGIN');
    response.setHeader('Referrer-Policy', 'no-referrer'); // launch URLs carry tokens
    // pages hold patient data: never cached (static files set their own max-age)
    if (!/^\/(nhsuk|assets|portal-static)\//.test(request.path))
      response.setHeader('Cache-Control', 'no-store');
    runWithCorrelationId(id, next);
  });
  const statics = { index: false, fallthrough: false, maxAge: '1h' } as const;
  app.useStaticAssets(join(NHSUK, 'nhsuk'), { ...statics, prefix: '/nhsuk/' });
  app.useStaticAssets(join(NHSUK, 'nhsuk', 'assets'), { ...statics, prefix: '/assets/' });
  app.useStaticAssets(join(__dirname, 'static'), { ...statics, prefix: '/portal-static/' });
  const views = nunjucks.configure([join(__dirname, 'views'), NHSUK], {
    autoescape: true,
    express: app,
    noCache: false,
  });
  views.addGlobal('serviceName', 'Continuum shared care record');
  views.addGlobal('sensitiveCategoryNames', SENSITIVE_CATEGORY_NAMES);
  views.addFilter('dateTime', cuiDateTime);
  app.setViewEngine('njk');
  return app;
}

export async function startPortal(): Promise<void> {
  loadConfig(PortalAppConfig); // fail fast with a readable message before Nest starts
  const app = await createPortalApp();
  app.enableShutdownHooks();
  const portal = app.get(PortalConfig);
  await app.listen(portal.port, portal.host);
  console.log(
    `portal listening on http://${portal.host}:${portal.port} (public address ${portal.publicUrl})`,
  );
}

/** `DD-Mmm-YYYY HH:MM` (UTC) for the privacy officer's pages: when an access or an alert happened. */
function cuiDateTime(value: Date | string | undefined): string {
  if (!value) return cuiDate(undefined);
  const iso = (value instanceof Date ? value : new Date(value)).toISOString();
  return `${cuiDate(iso)} ${iso.slice(11, 16)}`;
}
