import { parseSearchRequest } from '@continuum/fhir';
import { SecuredResourceStore } from '@continuum/security';
import { ResourceStore } from '@continuum/store';
import { testEnv } from '@continuum/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createPortalApp } from './portal.bootstrap';

/** One door to the record: the portal, wired as in production, binds the secured store and nothing reads past it. */
describe('the portal reaches the record only through the secured door', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    Object.assign(process.env, testEnv, { PORTAL_SESSION_SECRET: randomUUID() + randomUUID() });
    app = await createPortalApp({ logs: false });
  });
  afterAll(() => app.close());

  it('binds ResourceStore to the secured store', () => {
    expect(app.get(ResourceStore)).toBeInstanceOf(SecuredResourceStore);
  });

  it('refuses a read, a search and a scan that carry no authenticated caller', async () => {
    const store = app.get(ResourceStore);
    await expect(store.read('Patient', 'anyone')).rejects.toMatchObject({ status: 401 });
    await expect(store.search(parseSearchRequest('Patient', {}))).rejects.toMatchObject({ status: 401 });
    await expect(store.scan()[Symbol.asyncIterator]().next()).rejects.toMatchObject({ status: 401 });
  });
});
