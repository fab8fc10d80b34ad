import { randomUUID } from 'node:crypto';
import { createSql } from '@continuum/store';
import { aValidNhsNumber, TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, newContext, screenshot, startBrowser, type TestBrowser } from './support/browser';
import { birthDateOfThisRun, type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * The privacy officer (issue #18): a clinician without a relationship breaks the glass in the browser; the alert is
 * on the privacy officer's worklist as soon as the record opens (its row commits with the break-glass AuditEvent),
 * they review and close it (audited), and see who viewed every record of the person, the break-glass marked.
 * Clinicians are refused these pages; privacy officers open no record. Zero axe violations on each new page.
 */
describe('portal: privacy officer in a real browser', () => {
  let portal: RunningPortal;
  let chromium: TestBrowser;
  let browser: Browser;
  const tag = uniqueSuffix();
  const family = `Privacy${tag.replace(/\d/g, '')}`;
  const nhsNumber = aValidNhsNumber();
  const birthDate = birthDateOfThisRun();
  const clinician = `stranger-${randomUUID()}`;
  const detail = `Collapsed at our walk-in centre ${tag}`;
  /** The worklist is the whole service's: this test's rows are told apart by its own texts. */
  const note = `Asked NHS111 for the call record ${tag}`;
  let patientIds: string[];
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });

  beforeAll(async () => {
    [portal, chromium] = await Promise.all([startPortal(), startBrowser()]);
    browser = chromium.browser;
    const person = await seedFixturePerson({ prefix: `privacy-${tag}`, nhsNumber, family, birthDate });
    patientIds = person.patients.map((patient) => patient.id!);
  });
  afterAll(async () => {
    await chromium?.close();
    await portal?.close();
    await sql.end({ timeout: 5 });
  });

  async function launch(request: Parameters<RunningPortal['launchUrl']>[0]): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(await portal.launchUrl(request));
    return page;
  }
  const officer = () =>
    launch({ role: 'privacy-officer', subject: `po-${tag}`, name: 'Pat Privacy', org: 'X26' });
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);

  it('a break-glass raises an alert on the worklist within 60 s, which the officer reviews and closes', async () => {
    const page = await launch({
      role: 'urgent-care',
      org: 'NHS111',
      subject: clinician,
      name: 'Dr Una Known',
      nhsNumber,
      birthDate,
    });
    await expect(page.getByTestId('break-glass-title').isVisible()).resolves.toBe(true);
    await page.check('#reason-emergency');
    await page.fill('#detail', detail);
    const brokeAt = Date.now();
    await page.click('form[action="/record/break-glass"] button');
    await expect(page.getByTestId('broken-glass').isVisible()).resolves.toBe(true);
    await page.context().close();

    const worklist = await officer();
    expect(new URL(worklist.url()).pathname).toBe('/privacy/alerts');
    const row = worklist.locator('[data-testid="open-alerts"] tr', { hasText: detail });
    await expect(row.count()).resolves.toBe(1);
    const visibleAfter = Date.now() - brokeAt;
    expect(visibleAfter).toBeLessThan(60_000);
    const text = await row.textContent();
    for (const expected of [
      'Dr Una Known',
      'urgent-care',
      'NHS111',
      `${family.toUpperCase()}, Ada Mary (Mrs)`,
      'Emergency care',
    ])
      expect(text).toContain(expected);
    const [alert] = await sql<{ raised_at: Date; audit_event_id: string }[]>`
      SELECT raised_at, audit_event_id FROM privacy_alert WHERE subject = ${clinician}`;
    expect(alert.raised_at.getTime() - brokeAt).toBeLessThan(60_000);
    const [audit] = await sql<{ content: { outcomeDesc: string } }[]>`
      SELECT content FROM audit_event WHERE id = ${alert.audit_event_id}`;
    expect(audit.content.outcomeDesc).toContain(detail);
    // newest first
    const raised = await worklist.locator('[data-testid="open-alerts"] tbody tr').count();
    expect(raised).toBeGreaterThanOrEqual(1);
    await expectAccessible(worklist);
    await screenshot(worklist, 'privacy-worklist');

    await row.getByRole('link', { name: /^Review/ }).click();
    await expect(worklist.getByTestId('alert-summary').textContent()).resolves.toContain(detail);
    await expectAccessible(worklist);
    await worklist.click('form[action$="/close"] button');
    await expect(worklist.locator('.nhsuk-error-summary').textContent()).resolves.toContain(
      'Choose an outcome',
    );
    await expectAccessible(worklist);
    await worklist.check('#outcome-inappropriate');
    await worklist.click('form[action$="/close"] button');
    await expect(worklist.locator('.nhsuk-error-summary').textContent()).resolves.toContain(
      'at least 10 characters',
    );
    await worklist.check('#outcome-follow-up');
    await worklist.fill('#note', note);
    await worklist.click('form[action$="/close"] button');
    expect(new URL(worklist.url()).pathname).toBe('/privacy/alerts');
    await expect(
      worklist.locator('[data-testid="open-alerts"] tr', { hasText: detail }).count(),
    ).resolves.toBe(0);
    await expect(
      worklist.locator('[data-testid="closed-alerts"] tr', { hasText: note }).count(),
    ).resolves.toBe(1);
    const closedAudit = await sql<{ count: string }[]>`
      SELECT count(*) FROM audit_event
      WHERE agent = ${`po-${tag}`} AND content->>'outcomeDesc' LIKE 'Privacy alert % closed: follow-up%'`;
    expect(Number(closedAudit[0].count)).toBe(1);
    await worklist.context().close();
  });

  it("who viewed this record: every access to any of the person's records, the break-glass marked", async () => {
    const page = await officer();
    await page.goto(`${portal.url}/privacy/patients/${encodeURIComponent(patientIds[0])}/access`);
    await expect(page.getByTestId('person-records').textContent()).resolves.toBe(
      [...patientIds].sort().join(', '),
    );
    const rows = page.locator('[data-testid="access-log"] tbody tr');
    expect(await rows.count()).toBeGreaterThan(1);
    const breakGlass = page.locator('[data-testid="access-log"] tr[data-break-glass="true"]', {
      hasText: clinician,
    });
    expect(await breakGlass.count()).toBeGreaterThan(0);
    const text = await breakGlass.first().textContent();
    for (const expected of ['NHS111', 'ETREAT', 'Break-glass', detail]) expect(text).toContain(expected);
    await expectAccessible(page);
    await screenshot(page, 'privacy-who-viewed');
    await page.context().close();
  });

  it('a clinician is refused the privacy pages, and a privacy officer opens no record', async () => {
    const page = await launch({ role: 'gp', nhsNumber, birthDate });
    for (const path of ['/privacy/alerts', `/privacy/patients/${patientIds[0]}/access`]) {
      const answer = await page.goto(`${portal.url}${path}`);
      expect(answer?.status()).toBe(403);
      await expect(page.content()).resolves.not.toContain(detail);
    }
    await expectAccessible(page);
    await page.context().close();
    const po = await officer();
    expect((await po.goto(`${portal.url}/record`))?.status()).toBe(403);
    expect((await po.goto(`${portal.url}/find`))?.status()).toBe(403);
    await po.context().close();
  });
});
