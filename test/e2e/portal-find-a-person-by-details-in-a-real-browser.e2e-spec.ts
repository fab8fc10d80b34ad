import { openSearchTestContext, type SearchTestContext } from '@continuum/search/testing/search-test-context';
import { aValidNhsNumber } from '@continuum/testing';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, newContext, screenshot, startBrowser, type TestBrowser } from './support/browser';
import { type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * Finding a person by name, date of birth and postcode through the Elasticsearch patient finder (issue #18): one row
 * per PERSON with every source holding them, the record opened from the row; a restricted person never found by
 * postcode and their address never shown; the form's errors; and, with Elasticsearch unreachable, a clear message
 * pointing to the NHS number search, which still works. Records are written and linked as ingest does, and indexed
 * as the indexer does (the outbox drained into a test index prefix). Zero axe violations on each page.
 */
describe('portal: find a person by their details in a real browser', () => {
  let search: SearchTestContext;
  let portal: RunningPortal;
  let chromium: TestBrowser;
  let browser: Browser;
  let family: string;
  let restrictedFamily: string;
  const nhsNumber = aValidNhsNumber();
  const restrictedNhsNumber = aValidNhsNumber();
  const spaced = (n: string) => n.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');

  beforeAll(async () => {
    search = await openSearchTestContext('portal-find');
    const letters = search.suffix.replace(/[^a-z]/g, '');
    family = `Findable${letters}`;
    restrictedFamily = `Hidden${letters}`;
    [portal, chromium] = await Promise.all([
      startPortal({
        env: { DATABASE_URL: search.databaseUrl, ELASTICSEARCH_INDEX_PREFIX: search.naming.prefix },
      }),
      startBrowser(),
    ]);
    browser = chromium.browser;
    await seedFixturePerson({ prefix: `find-${letters}`, nhsNumber, family }, search.databaseUrl);
    await seedFixturePerson(
      {
        prefix: `hidden-${letters}`,
        nhsNumber: restrictedNhsNumber,
        family: restrictedFamily,
        birthDate: '1961-10-23',
        restricted: true,
      },
      search.databaseUrl,
    );
    await search.drainOutbox();
    await search.client.indices.refresh({ index: search.naming.readAlias('patient') });
  });
  afterAll(async () => {
    await chromium?.close();
    await portal?.close();
    await search?.close();
  });

  async function findPage(on: RunningPortal = portal, options: { javaScript?: boolean } = {}): Promise<Page> {
    const page = await (await newContext(browser, options)).newPage();
    await page.goto(await on.launchUrl({ role: 'gp', org: 'A81001' }));
    expect(new URL(page.url()).pathname).toBe('/find');
    return page;
  }
  async function searchBy(
    page: Page,
    details: { family: string; dob: [string, string, string]; postcode?: string; given?: string },
  ) {
    await page.fill('#family', details.family);
    await page.fill('#given', details.given ?? '');
    await page.fill('#dob-day', details.dob[0]);
    await page.fill('#dob-month', details.dob[1]);
    await page.fill('#dob-year', details.dob[2]);
    await page.fill('#postcode', details.postcode ?? ''); // the form keeps what was typed last time
    await page.click('form[action="/find/people"] button');
    await page.waitForLoadState('load');
  }
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);

  it('finds the PERSON (one row, both sources) by a misspelt name, birth date and postcode, and opens the record', async () => {
    const page = await findPage();
    await searchBy(page, {
      family: family.replace(/^Findable/, 'Findible'),
      dob: ['7', '3', '1948'],
      postcode: 'ls1 4ap',
    });
    const rows = page.locator('[data-testid="people-found"] tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getByTestId('person-name').textContent()).resolves.toBe(
      `${family.toUpperCase()}, Ada Mary (Mrs)`,
    );
    await expect(rows.first().textContent()).resolves.toContain(spaced(nhsNumber));
    const sources = await rows.first().getByTestId('person-sources').locator('li').allTextContents();
    expect(sources).toEqual(['A81001:GP-System', 'RX1:Hospital-PAS']);
    await expectAccessible(page);
    await screenshot(page, 'find-by-details');
    await rows.first().locator('button').click();
    expect(new URL(page.url()).pathname).toBe('/record');
    await expect(page.getByTestId('banner-nhs-number').textContent()).resolves.toBe(spaced(nhsNumber));
    await page.context().close();
  });

  it('a restricted person is never found by postcode, and found by name their address is withheld (JavaScript off)', async () => {
    const page = await findPage(portal, { javaScript: false });
    await searchBy(page, { family: restrictedFamily, dob: ['23', '10', '1961'], postcode: 'LS1 4AP' });
    await expect(page.getByTestId('details-message').textContent()).resolves.toContain('No one was found');
    await expect(page.locator('[data-testid="people-found"]').count()).resolves.toBe(0);
    await searchBy(page, { family: restrictedFamily, dob: ['23', '10', '1961'] });
    const row = page.locator('[data-testid="people-found"] tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.getByTestId('person-address').textContent()).resolves.toBe(
      'Address withheld (restricted record)',
    );
    await expect(page.content()).resolves.not.toContain('Quay Street');
    await page.context().close();
  });

  it('says what is missing in an error summary linked to the fields', async () => {
    const page = await findPage();
    await searchBy(page, { family: ' ', dob: ['31', '2', '1990'], postcode: 'nowhere' });
    const summary = page.locator('.nhsuk-error-summary');
    await expect(
      summary.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href'))),
    ).resolves.toEqual(['#family', '#dob-day', '#postcode']);
    await expectAccessible(page);
    await screenshot(page, 'find-by-details-errors');
    await page.context().close();
  });

  it('with Elasticsearch unreachable: a clear message to find by NHS number, which still opens the record', async () => {
    const offline = await startPortal({
      env: {
        DATABASE_URL: search.databaseUrl,
        ELASTICSEARCH_INDEX_PREFIX: search.naming.prefix,
        ELASTICSEARCH_NODE: 'http://127.0.0.1:9',
      },
    });
    try {
      const page = await findPage(offline);
      await searchBy(page, { family, dob: ['7', '3', '1948'] });
      await expect(page.getByTestId('details-message').textContent()).resolves.toContain(
        'Search by name is unavailable just now. Find the patient by NHS number instead.',
      );
      await expectAccessible(page);
      await screenshot(page, 'find-by-details-unavailable');
      await page.fill('#nhsNumber', spaced(nhsNumber));
      await page.click('form[action="/find"] button');
      expect(new URL(page.url()).pathname).toBe('/record');
      await page.context().close();
    } finally {
      await offline.close();
    }
  });
});
