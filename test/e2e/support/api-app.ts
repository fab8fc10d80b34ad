import 'reflect-metadata';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { TokenRequest } from '@continuum/security';
import { testTokens } from '@continuum/security/testing/test-tokens';
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
 * The API app in-process against continuum_test (or the database `env` names), as api.bootstrap starts it. The port
 * is chosen first so that the FHIR base URL in links and Location headers is the one the test calls.
 */
export async function startApi(env: Record<string, string> = {}): Promise<RunningApi> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/fhir`;
  Object.assign(process.env, testEnv, {
    FHIR_BASE_URL: base,
    API_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    ...env,
  });
  // Imported after the environment is set: config is read when the module graph is built.
  const { createApiApp } = await import('../../../apps/api/src/api.bootstrap');
  const app = await createApiApp({ logs: false });
  await app.listen(port, '127.0.0.1');
  return { app, base, close: () => app.close() };
}

export interface AuthorisedApi extends RunningApi {
  /** `Bearer <token>` of a full-access system client. */
  authorization: string;
  /** Another token from the same issuer, for what the system client may not do (e.g. link patients). */
  issue(request: TokenRequest): Promise<string>;
  /** The issuer settings the API trusts (keys folder, issuer, audience), for another app that must trust them too. */
  env: Record<string, string>;
}

/**
 * The API with a full-access system token (SMART `system/*.cruds`) from a local test issuer, and a rate limit
 * out of the way: for tests about FHIR behaviour rather than security.
 */
export async function startApiAsSystem(env: Record<string, string> = {}): Promise<AuthorisedApi> {
  const tokens = testTokens();
  Object.assign(process.env, tokens.env, {
    RATE_LIMIT_SYSTEM_PER_MINUTE: '1000000',
    RATE_LIMIT_SYSTEM_BURST: '100000',
  });
  const api = await startApi(env);
  // Direct care (TREAT): no consent filtering, so history shows deletions and batches may read.
  const token = await tokens.issue({
    scope: 'system/*.cruds',
    clientId: 'fhir-api-e2e',
    purposeOfUse: 'TREAT',
  });
  return {
    ...api,
    authorization: `Bearer ${token}`,
    issue: tokens.issue,
    env: { ...tokens.env, FHIR_BASE_URL: api.base },
  };
}
