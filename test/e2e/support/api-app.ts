import 'reflect-metadata';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { testEnv } from '@continuum/testing';

export interface RunningApi {
  app: INestApplication;
  /** The FHIR base URL, e.g. http://127.0.0.1:40123/fhir */
  base: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The API app in-process against continuum_test, as api.bootstrap starts it. The port is chosen first so that the
 * FHIR base URL in links and Location headers is the one the test calls.
 */
export async function startApi(): Promise<RunningApi> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/fhir`;
  Object.assign(process.env, testEnv, {
    FHIR_BASE_URL: base,
    API_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  });
  // Imported after the environment is set: config is read when the module graph is built.
  const { AppModule } = await import('../../../apps/api/src/app.module');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
  app.disable('x-powered-by');
  await app.listen(port, '127.0.0.1');
  return { app, base, close: () => app.close() };
}
