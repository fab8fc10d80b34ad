/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: DOM types for them.
import { PORTAL_ROLES, ROLE_VIEWS } from '@continuum/fhir';
import { aValidNhsNumber, uniqueSuffix } from '@continuum/testing';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, newContext, screenshot, startBrowser, type TestBrowser } from './support/browser';
import { birthDateOfThisRun, type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * Issue #18 in real headless Chromium (Debian's package, driven by playwright-core): each role's view of the fixture
 * person, the banner rules, keyboard-only use, pages that work with JavaScript off, and zero axe-core violations
 * (WCAG 2.2 AA) on every page. Screenshots go to test-artefacts/portal.
 */
describe('portal pages in a real browser', () => {
  let portal: RunningPortal;
  let chromium: TestBrowser;
  let browser: Browser;
  const tag = uniqueSuffix();
  const family = `Browser${tag.replace(/\d/g, '')}`;
  const nhsNumber = aValidNhsNumber();
  const restrictedNhsNumber = aValidNhsNumber();
  const birthDate = birthDateOfThisRun();
  /** The restricted person is someone else entirely (the identity linker must not join the two). */
  const restrictedBirthDate = birthDateOfThisRun(4_700);
  const spaced = (n: string) => n.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');

  beforeAll(async () => {
    [portal, chromium] = await Promise.all([startPortal(), startBrowser()]);
    browser = chromium.browser;
    await seedFixturePerson({ prefix: `browser-${tag}`, nhsNumber, family, birthDate });
    await seedFixturePerson({
      prefix: `restricted-${tag}`,
      nhsNumber: restrictedNhsNumber,
      family: `Other${family}`,
      birthDate: restrictedBirthDate,
      restricted: true,
      deceased: true,
    });
  });
  afterAll(async () => {
    await chromium?.close();
    await portal?.close();
  });

  /** Opens the portal as a clinical system would: a fresh browser session following a signed launch link. */
  async function launch(
    role: string,
    options: { restricted?: boolean; javaScript?: boolean; org?: string } = {},
  ): Promise<Page> {
    const context = await newContext(browser, { javaScript: options.javaScript });
    const page = await context.newPage();
    const patient = options.restricted
      ? { nhsNumber: restrictedNhsNumber, birthDate: restrictedBirthDate }
      : { nhsNumber, birthDate };
    await page.goto(await portal.launchUrl({ role, name: 'Dr Jo Bloggs', org: options.org, ...patient }));
    return page;
  }
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);

  it.each(PORTAL_ROLES)(
    'the %s view shows its declared sections, each item with source, organisation and date',
    async (role) => {
      const page = await launch(role);
      expect(new URL(page.url()).pathname).toBe('/record');
      const sections = await page
        .locator('section[data-section]')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-section')));
      expect(sections).toEqual([...ROLE_VIEWS[role].sections]);
      await expect(page.locator('h1').first().textContent()).resolves.toContain(family.toUpperCase());
      const rows = await page
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) =>
            Array.from(tr.querySelectorAll('td')).map((td) =>
              td.textContent?.replace(/^\s*(Item|Details|Recorded|Organisation|Source system)\s/, '').trim(),
            ),
          ),
        );
      expect(rows.length).toBeGreaterThan(0);
      for (const [, , recorded, organisation, source] of rows) {
        expect(recorded).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4}$/);
        expect(organisation).not.toBe('');
        expect(source).toMatch(/^(A81001:GP-System|RX1:Hospital-PAS)$/);
      }
      await expectAccessible(page);
      await screenshot(page, `record-${role}`);
      await page.context().close();
    },
  );

  it('the urgent care record leaves sensitive categories out and says so', async () => {
    const page = await launch('urgent-care');
    const problems = page.locator('section[data-section="problems-and-diagnoses"]');
    await expect(problems.textContent()).resolves.not.toContain('HIV');
    await expect(page.getByTestId('hidden-problems-and-diagnoses').textContent()).resolves.toContain(
      '1 item in a sensitive category not shown',
    );
    await page.context().close();
  });

  it('the banner follows the CUI rules: FAMILY, Given (Title), DD-Mmm-YYYY with age, gender, NHS number 3 3 4', async () => {
    const page = await launch('gp');
    const banner = page.getByTestId('patient-banner');
    await expect(banner.getByTestId('banner-name').textContent()).resolves.toBe(
      `${family.toUpperCase()}, Ada Mary (Mrs)`,
    );
    // the run's own birth date, written DD-Mmm-YYYY with the age in whole years as of today
    const [year, month, day] = birthDate.split('-').map(Number);
    const today = new Date();
    const birthdayPassed =
      today.getUTCMonth() + 1 > month || (today.getUTCMonth() + 1 === month && today.getUTCDate() >= day);
    const age = today.getUTCFullYear() - year - (birthdayPassed ? 0 : 1);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    await expect(banner.getByTestId('banner-born').textContent()).resolves.toBe(
      `${String(day).padStart(2, '0')}-${months[month - 1]}-${year} (${age}y)`,
    );
    await expect(banner.getByTestId('banner-gender').textContent()).resolves.toBe('Female');
    await expect(banner.getByTestId('banner-nhs-number').textContent()).resolves.toBe(spaced(nhsNumber));
    await expect(banner.getByTestId('banner-address').textContent()).resolves.toBe(
      '1 Quay Street, Leeds, LS1 4AP',
    );
    await page.context().close();
  });

  it('a restricted, deceased person: address withheld, deceased shown by colour, pattern and words', async () => {
    const page = await launch('urgent-care', { restricted: true });
    await expect(page.getByTestId('banner-address').textContent()).resolves.toBe(
      'Address withheld (restricted record)',
    );
    await expect(page.getByTestId('banner-deceased').textContent()).resolves.toBe('Deceased 20-Nov-2026');
    const style = await page
      .getByTestId('patient-banner')
      .evaluate((node) => getComputedStyle(node).backgroundImage);
    expect(style).toContain('repeating-linear-gradient');
    await expect(page.content()).resolves.not.toContain('Quay Street');
    await expectAccessible(page);
    await screenshot(page, 'banner-restricted-deceased');
    await page.context().close();
  });

  it('works with JavaScript off: the record renders and finding a patient by NHS number opens theirs', async () => {
    const page = await launch('community', { javaScript: false });
    await expect(page.locator('section[data-section]').count()).resolves.toBe(
      ROLE_VIEWS.community.sections.length,
    );
    await page.goto(`${portal.url}/find`);
    await page.fill('#nhsNumber', spaced(restrictedNhsNumber));
    await page.click('form[action="/find"] button');
    expect(new URL(page.url()).pathname).toBe('/record');
    await expect(page.getByTestId('banner-nhs-number').textContent()).resolves.toBe(
      spaced(restrictedNhsNumber),
    );
    await page.context().close();
  });

  it('keyboard only: skip link first, then the session links, the contents, and the find form submits with Enter', async () => {
    const page = await launch('acute');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe(
      'Skip to main content',
    );
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('maincontent');
    // tab on to the first contents link and follow it
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.classList.contains('nhsuk-contents-list__link')))
        break;
    }
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#section-allergies-and-adverse-reactions');
    await page.goto(`${portal.url}/find`);
    for (let i = 0; i < 15 && !(await page.evaluate(() => document.activeElement?.id === 'nhsNumber')); i++)
      await page.keyboard.press('Tab');
    await page.keyboard.type('999 999 9990'); // check digit wrong
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain(
      'modulus 11 check digit',
    );
    await expectAccessible(page);
    await screenshot(page, 'find-error');
    await page.context().close();
  });

  it('every other page has zero axe violations: landing, find, refused launch, session ended', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const visits: [string, string][] = [
      ['home', `${portal.url}/`],
      ['refused-expired', await portal.launchUrl({ role: 'gp', nhsNumber, birthDate, ttl: '-1 minute' })],
      ['session-ended', `${portal.url}/record`],
    ];
    for (const [name, url] of visits) {
      await page.goto(url);
      expect({ name, violations: await axeViolations(page) }).toEqual({ name, violations: [] });
      await screenshot(page, name);
    }
    const found = await launch('gp');
    await found.goto(`${portal.url}/find`);
    expect(await axeViolations(found)).toEqual([]);
    await screenshot(found, 'find');
    await found.context().close();
    await context.close();
  });

  it('no relationship: the break-glass page (accessible, keyboard only) opens the record once a reason is given', async () => {
    const page = await launch('acute', { org: 'RGD' });
    await expect(page.getByTestId('break-glass-title').textContent()).resolves.toContain(
      'no recorded relationship',
    );
    await expect(page.locator('section[data-section]').count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'break-glass');
    await page.focus('#reason-emergency');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Collapsed in the emergency department');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe('/record');
    await expect(page.getByTestId('broken-glass').textContent()).resolves.toContain(
      'Collapsed in the emergency department',
    );
    await expect(page.locator('section[data-section]').count()).resolves.toBe(
      ROLE_VIEWS.acute.sections.length,
    );
    await expectAccessible(page);
    await page.context().close();
  });
});
