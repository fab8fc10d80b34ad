import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import {
  fixturePerson,
  type FixturePersonOptions,
} from '@continuum/fhir/record-views/testing/fixture-person';
import { LocalIssuer } from '@continuum/security';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { createFhirStore, createSql } from '@continuum/store';
import { openIdentityIndex } from '@continuum/store/identity';
import { TEST_DATABASE_URL, testEnv } from '@continuum/testing';

export const PORTAL_AUDIENCE = 'continuum-portal';

export async function freePort(): Promise<number> {
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

/** What a launching clinical system puts in a launch token (iss, aud, iat, exp and jti are added). */
export interface LaunchRequest {
  subject?: string;
  name?: string;
  role: string;
  org?: string;
  nhsNumber?: string;
  birthDate?: string;
  /** Lifetime, e.g. '2m'; negative for an expired token. */
  ttl?: string;
  audience?: string;
  jti?: string;
}

export interface RunningPortal {
  app: INestApplication;
  url: string;
  /** A launch URL signed by the test issuer (the key the portal trusts). */
  launchUrl(request: LaunchRequest): Promise<string>;
  close(): Promise<void>;
}

/**
 * The portal in-process against continuum_test, as portal.bootstrap starts it, trusting a fresh local issuer. With
 * `env` from a running API (its issuer settings, FHIR_BASE_URL), it trusts that API's tokens instead: a SMART launch.
 */
export async function startPortal(
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<RunningPortal> {
  const tokens = testTokens();
  Object.assign(tokens.env, options.env ?? {});
  await tokens.issue({ scope: 'user/*.rs' }); // makes the issuer's keys (private key and jwks.json)
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  Object.assign(process.env, testEnv, tokens.env, {
    PORTAL_PORT: String(port),
    PORTAL_PUBLIC_URL: url,
    PORTAL_SESSION_SECRET: randomUUID() + randomUUID(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  });
  const { createPortalApp } = await import('../../../apps/portal/src/portal.bootstrap');
  const app = await createPortalApp({ logs: false });
  await app.listen(port, '127.0.0.1');
  const issuer = (audience: string) =>
    new LocalIssuer(tokens.env.CONTINUUM_KEYS_DIR, tokens.env.AUTH_ISSUER, audience);
  const launchUrl = async (request: LaunchRequest) => {
    const token = await issuer(request.audience ?? PORTAL_AUDIENCE).signLaunch({
      ...request,
      subject: request.subject ?? 'clinician-e2e',
      organisation: request.org ?? 'A81001',
    });
    return `${url}/launch?token=${token}`;
  };
  return { app, url, launchUrl, close: () => app.close() };
}

/** Days after 1930-01-01 at which this test file's birth dates start, drawn once per file. */
const runBirthDay = Math.floor(Math.random() * 20_000);

/**
 * A birth date of this run's own (`offsetDays` apart for a second person): the shared test database keeps earlier
 * runs' fixture people, whose generated names are alike, and the identity linker would join them to this run's on a
 * fixed birth date.
 */
export function birthDateOfThisRun(offsetDays = 0): string {
  return new Date(Date.UTC(1930, 0, 1) + (runBirthDay + offsetDays) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Writes the fixture person (libs/fhir record-views) through the plain store, each resource under its source system,
 * and links the two sources' Patient records as one person as ingest does.
 */
export async function seedFixturePerson(
  options: FixturePersonOptions,
  databaseUrl = TEST_DATABASE_URL,
): Promise<ReturnType<typeof fixturePerson>> {
  const person = fixturePerson(options);
  const database = {
    url: databaseUrl,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  };
  const sql = createSql(database);
  const identity = await openIdentityIndex(database);
  try {
    const store = createFhirStore(sql);
    for (const resource of [...person.patients, ...person.resources])
      await store.update(resource, { sourceSystem: resource.meta?.source });
    await identity.linker.linkStored(person.patients.map((p) => p.id!));
  } finally {
    await identity.close().catch(() => undefined);
    await sql.end({ timeout: 5 });
  }
  return person;
}
