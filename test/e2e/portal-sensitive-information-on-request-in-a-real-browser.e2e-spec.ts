/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { createSql } from '@continuum/store';
import { aValidNhsNumber, TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent } from 'fhir/r4';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, newContext, screenshot, startBrowser, type TestBrowser } from './support/browser';
import { birthDateOfThisRun, type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * Sensitive information on request (issue #18), in real headless Chromium: the view says how many items it
 * withholds (never what); a clinician with a legitimate relationship gives a reason, keyboard only, and the record
 * then shows them marked "Sensitive", for this person only; the choice is an AuditEvent naming who, the person, the
 * purpose and the categories and items revealed. Social care is never offered it. Zero axe violations on each page.
 */
describe('portal: sensitive information shown on request in a real browser', () => {
  let portal: RunningPortal;
  let chromium: TestBrowser;
  let browser: Browser;
  const tag = uniqueSuffix();
  const family = `Sensitive${tag.replace(/\d/g, '')}`;
  const nhsNumber = aValidNhsNumber();
  const birthDate = birthDateOfThisRun();
  const otherNhsNumber = aValidNhsNumber();
  const clinician = `gp-${randomUUID()}`;
  const detail = `Starting antiretroviral interaction check ${tag}`;
  let gpPatientId: string;
  let hivRef: string;
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });
  const spaced = (n: string) => n.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');

  beforeAll(async () => {
    [portal, chromium] = await Promise.all([startPortal(), startBrowser()]);
    browser = chromium.browser;
    const person = await seedFixturePerson({ prefix: `sensitive-${tag}`, nhsNumber, family, birthDate });
    await seedFixturePerson({
      prefix: `sensitive-other-${tag}`,
      nhsNumber: otherNhsNumber,
      family: `Other${family}`,
      birthDate: birthDateOfThisRun(400),
    });
    gpPatientId = person.patients.find((patient) => patient.meta?.source?.startsWith('A81001'))!.id!;
    const hiv = person.resources.find(
      (resource) => resource.resourceType === 'Condition' && resource.code?.text === 'HIV disease',
    )!;
    hivRef = `Condition/${hiv.id}`;
  });
  afterAll(async () => {
    await chromium?.close();
    await portal?.close();
    await sql.end({ timeout: 5 });
  });

  async function launch(role: string, subject = `${role}-${randomUUID()}`): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(await portal.launchUrl({ role, subject, name: 'Dr Sam Sense', nhsNumber, birthDate }));
    return page;
  }
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const problemsText = (page: Page) =>
    page.locator('section[data-section="problems-and-diagnoses"]').textContent();
  /** Enter on the focused link or button, and the page it leads to loaded. */
  const submitWithEnter = (page: Page) =>
    Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  const tabTo = async (page: Page, selector: string) => {
    for (let i = 0; i < 40; i++) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`could not reach ${selector} by keyboard`);
  };

  it('says how many items are withheld, and shows them marked, for this person only, once a reason is given', async () => {
    const page = await launch('gp', clinician);
    await expect(problemsText(page)).resolves.not.toContain('HIV');
    await expect(page.getByTestId('sensitive-withheld').textContent()).resolves.toContain(
      '1 item in a sensitive category is not shown',
    );
    await expectAccessible(page);

    // keyboard only: follow the link, try without a reason, then give one
    await tabTo(page, 'a[href="/record/sensitive"]');
    await submitWithEnter(page);
    expect(new URL(page.url()).pathname).toBe('/record/sensitive');
    await expect(page.getByTestId('sensitive-count').textContent()).resolves.toContain(
      '1 item in this record',
    );
    await expect(page.content()).resolves.not.toContain('HIV disease');
    await expectAccessible(page);
    await screenshot(page, 'sensitive-reason');
    await tabTo(page, 'form[action="/record/sensitive"] button');
    await submitWithEnter(page);
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Choose a reason');
    await expectAccessible(page);
    await tabTo(page, '#reason-direct-care');
    await page.keyboard.press('Space');
    await tabTo(page, '#detail');
    await page.keyboard.type(detail);
    await page.keyboard.press('Tab');
    await submitWithEnter(page);

    expect(new URL(page.url()).pathname).toBe('/record');
    await expect(page.getByTestId('sensitive-shown').textContent()).resolves.toContain(detail);
    const row = page.locator(`tr[data-ref="${hivRef}"]`);
    await expect(row.getAttribute('data-sensitive')).resolves.toBe('hiv');
    await expect(row.locator('.nhsuk-tag').textContent()).resolves.toBe('Sensitive: HIV');
    await expect(page.getByTestId('sensitive-withheld').count()).resolves.toBe(0);
    await expect(page.getByTestId('hidden-problems-and-diagnoses').count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'sensitive-shown');

    // another person in the same session: theirs stay withheld
    await page.goto(`${portal.url}/find`);
    await page.fill('#nhsNumber', spaced(otherNhsNumber));
    await page.click('form[action="/find"] button');
    await expect(page.getByTestId('banner-nhs-number').textContent()).resolves.toBe(spaced(otherNhsNumber));
    await expect(problemsText(page)).resolves.not.toContain('HIV');
    await expect(page.getByTestId('sensitive-withheld').count()).resolves.toBe(1);
    await page.context().close();

    // a new session for the first person: withheld again
    const again = await launch('gp', clinician);
    await expect(problemsText(again)).resolves.not.toContain('HIV');
    await again.context().close();
  });

  it('the choice is an AuditEvent: who, the person, the purpose, the categories and items revealed', async () => {
    const events = await sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT content, patient_ids FROM audit_event
      WHERE content->>'outcomeDesc' LIKE ${`Sensitive information shown on Patient/%${detail}`}`;
    expect(events).toHaveLength(1);
    const [{ content: event, patient_ids }] = events;
    expect(patient_ids).toEqual([gpPatientId]);
    expect(event.outcome).toBe('0');
    expect(event.outcomeDesc).toBe(
      `Sensitive information shown on Patient/${gpPatientId} (hiv; 1 items): direct-care: ${detail}`,
    );
    expect(event.agent?.[0]).toMatchObject({ who: { identifier: { value: clinician } }, altId: 'A81001' });
    expect(event.purposeOfEvent?.[0].coding?.[0].code).toBe('TREAT');
    expect(event.entity?.map((entity) => entity.what?.reference)).toEqual(
      expect.arrayContaining([`Patient/${gpPatientId}`, hivRef]),
    );
  });

  it('social care is never offered it: no count, no link, and asking directly is refused', async () => {
    const page = await launch('social-care');
    await expect(page.getByTestId('sensitive-withheld').count()).resolves.toBe(0);
    await expect(page.locator('a[href="/record/sensitive"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid^="hidden-"]').count()).resolves.toBe(0);
    const refused = await page.goto(`${portal.url}/record/sensitive`);
    expect(refused?.status()).toBe(403);
    const posted = await page.request.post(`${portal.url}/record/sensitive`, {
      form: { reason: 'direct-care', detail: 'I would like to see everything please' },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(403);
    await page.context().close();
  });
});
