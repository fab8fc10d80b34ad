import { createSql } from '@continuum/store';
import { aValidNhsNumber, TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Browser, Page } from 'playwright-core';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';
import { axeViolations, newContext, screenshot, startBrowser, type TestBrowser } from './support/browser';
import { freePort, type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * SMART App Launch 2.x, EHR launch, end to end in headless Chromium: the EHR registers a launch with the API (its
 * system client), opens the portal at /launch/smart?iss=&launch=, the portal goes through the API's authorize
 * endpoint with state and PKCE S256, exchanges the code and opens the patient named in the token response. Then the
 * refusals a browser can meet: a replayed launch, an untrusted iss, a callback whose state this browser never made.
 */
describe('portal: SMART EHR launch in a real browser', () => {
  let api: AuthorisedApi;
  let portal: RunningPortal;
  let chromium: TestBrowser;
  let browser: Browser;
  const tag = uniqueSuffix();
  const family = `Smart${tag.replace(/\d/g, '')}`;
  const nhsNumber = aValidNhsNumber();
  let patientId: string;
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });

  beforeAll(async () => {
    const portalPort = await freePort();
    api = await startApiAsSystem({
      SMART_CLIENTS: `continuum-portal=http://127.0.0.1:${portalPort}/launch/smart/callback`,
    });
    [portal, chromium] = await Promise.all([startPortal({ port: portalPort, env: api.env }), startBrowser()]);
    browser = chromium.browser;
    const person = await seedFixturePerson({ prefix: `smart-${tag}`, nhsNumber, family });
    patientId = person.patients[0].id!;
  });
  afterAll(async () => {
    await chromium?.close();
    await portal?.close();
    await api?.close();
    await sql.end({ timeout: 5 });
  });

  async function registerLaunch(): Promise<string> {
    const response = await fetch(`${new URL(api.base).origin}/auth/launch`, {
      method: 'POST',
      headers: { authorization: api.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        user: 'dr-smart-browser',
        name: 'Dr Sam Smart',
        role: 'urgent-care',
        organisation: 'A81001',
        patient: patientId,
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { launch: string }).launch;
  }

  const launchUrl = (launch: string, iss = api.base) =>
    `${portal.url}/launch/smart?iss=${encodeURIComponent(iss)}&launch=${encodeURIComponent(launch)}`;

  async function open(url: string): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(url);
    return page;
  }

  const refusalsAudited = async (reason: string) =>
    Number(
      (
        await sql<{ count: string }[]>`
          SELECT count(*) FROM audit_event WHERE content->>'outcomeDesc' LIKE ${`Portal launch refused (${reason})%`}`
      )[0].count,
    );

  it("opens the record of the patient in the token response, in the launching user's role view", async () => {
    const page = await open(launchUrl(await registerLaunch()));
    expect(new URL(page.url()).pathname).toBe('/record');
    await expect(page.getByTestId('banner-name').textContent()).resolves.toBe(
      `${family.toUpperCase()}, Ada Mary (Mrs)`,
    );
    await expect(page.locator('.portal-userbar').textContent()).resolves.toContain('Dr Sam Smart');
    expect(await page.locator('section[data-section]').count()).toBeGreaterThan(0);
    // the pending launch (state, verifier) is gone once used
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('continuum_portal_smart');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'smart-launch-record');
    await page.context().close();
  });

  it('a replayed launch is refused with a page and an audit record', async () => {
    const launch = await registerLaunch();
    await (await open(launchUrl(launch))).context().close();
    const before = await refusalsAudited('authorization-refused');
    const page = await open(launchUrl(launch));
    await expect(page.getByTestId('refusal-title').textContent()).resolves.toBe(
      'The shared care record refused the launch',
    );
    await expect(page.getByTestId('refusal-detail').textContent()).resolves.toBe(
      'The launch was used before (each is single use)',
    );
    expect(await refusalsAudited('authorization-refused')).toBe(before + 1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'smart-launch-replayed');
    await page.context().close();
  });

  it('an iss other than the configured FHIR base is refused before anything is fetched from it', async () => {
    const before = await refusalsAudited('untrusted-issuer');
    const page = await open(launchUrl(await registerLaunch(), 'https://attacker.example/fhir'));
    await expect(page.getByTestId('refusal-title').textContent()).resolves.toBe(
      'The launch came from a server this portal does not trust',
    );
    expect(new URL(page.url()).host).toBe(new URL(portal.url).host);
    expect(await refusalsAudited('untrusted-issuer')).toBe(before + 1);
    await page.context().close();
  });

  it('a callback with a state this browser never started (a forged or cross-site answer) opens nothing', async () => {
    const before = await refusalsAudited('bad-state');
    const page = await open(`${portal.url}/launch/smart/callback?code=stolen&state=guessed`);
    await expect(page.getByTestId('refusal-title').textContent()).resolves.toBe(
      'The launch could not be completed',
    );
    expect(await refusalsAudited('bad-state')).toBe(before + 1);
    const record = await page.goto(`${portal.url}/record`);
    expect(record?.status()).toBe(401);
    await page.context().close();
  });
});
