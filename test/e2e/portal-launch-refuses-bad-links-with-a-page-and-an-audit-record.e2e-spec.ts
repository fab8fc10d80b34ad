import { randomUUID } from 'node:crypto';
import { createSql } from '@continuum/store';
import { anInvalidNhsNumber, aValidNhsNumber, TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import { type RunningPortal, seedFixturePerson, startPortal } from './support/portal-app';

/**
 * Issue #18, signed-token URL launch: a launch opens the patient's record only from a valid, unused, unexpired token
 * made for the portal whose NHS number and birth date agree with the record. Every refusal is a clear page and an
 * AuditEvent naming the reason; the patient never comes from an unsigned parameter.
 */
describe('portal launch: bad links are refused with a page and an audit record', () => {
  let portal: RunningPortal;
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });
  const nhsNumber = aValidNhsNumber();
  const tag = uniqueSuffix();
  const birthDate = '1948-03-07';

  beforeAll(async () => {
    portal = await startPortal();
    await seedFixturePerson({
      prefix: `launch-${tag}`,
      nhsNumber,
      family: `Launch${tag.replace(/\d/g, '')}`,
    });
  });
  afterAll(async () => {
    await portal?.close();
    await sql.end({ timeout: 5 });
  });

  const open = (url: string) => fetch(url, { redirect: 'manual' });
  /** The refusal AuditEvents recorded for a launch by this user. */
  const refusals = async (subject: string) =>
    (
      await sql<{ outcome: string; description: string }[]>`
        SELECT outcome, content->>'outcomeDesc' AS description FROM audit_event
        WHERE content->>'outcomeDesc' LIKE 'Portal launch refused%' AND content::text LIKE ${`%${subject}%`}
        ORDER BY seq`
    ).map((row) => row.description);
  const refusalsBy = async (reason: string) =>
    Number(
      (
        await sql<{ count: string }[]>`
          SELECT count(*) FROM audit_event WHERE content->>'outcomeDesc' LIKE ${`Portal launch refused (${reason})%`}
          AND recorded > now() - interval '5 minutes'`
      )[0].count,
    );

  it('a valid launch opens the record of the patient the token names', async () => {
    const answer = await open(await portal.launchUrl({ role: 'urgent-care', nhsNumber, birthDate }));
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/record');
    const cookie = answer.headers.get('set-cookie')!.split(';')[0];
    const page = await (await fetch(`${portal.url}/record`, { headers: { cookie } })).text();
    expect(page).toContain(nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3'));
  });

  it('replay: the second use of a token is refused', async () => {
    const subject = `replayer-${randomUUID()}`;
    const url = await portal.launchUrl({ role: 'gp', subject, nhsNumber, birthDate });
    expect((await open(url)).status).toBe(303);
    const again = await open(url);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('The launch link has already been used');
    expect(await refusals(subject)).toEqual([expect.stringContaining('Portal launch refused (replay)')]);
  });

  it('expiry: an expired token is refused', async () => {
    const before = await refusalsBy('expired');
    const answer = await open(await portal.launchUrl({ role: 'gp', nhsNumber, birthDate, ttl: '-1 minute' }));
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain('The launch link has expired');
    expect(await refusalsBy('expired')).toBe(before + 1);
  });

  it('wrong audience: a token made for the API is refused', async () => {
    const before = await refusalsBy('wrong-audience');
    const answer = await open(
      await portal.launchUrl({ role: 'gp', nhsNumber, birthDate, audience: 'continuum-api' }),
    );
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain('The launch link was not made for this portal');
    expect(await refusalsBy('wrong-audience')).toBe(before + 1);
  });

  it('birth-date mismatch: refused, and no session is opened', async () => {
    const subject = `mismatch-${randomUUID()}`;
    const answer = await open(
      await portal.launchUrl({ role: 'acute', subject, nhsNumber, birthDate: '1948-03-08' }),
    );
    expect(answer.status).toBe(403);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(await answer.text()).toContain('The date of birth does not match the record');
    expect(await refusals(subject)).toEqual([
      expect.stringContaining('Portal launch refused (birth-date-mismatch)'),
    ]);
  });

  it('an NHS number failing its check digit is refused before any look-up', async () => {
    const subject = `typo-${randomUUID()}`;
    const answer = await open(
      await portal.launchUrl({ role: 'acute', subject, nhsNumber: anInvalidNhsNumber(), birthDate }),
    );
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('The NHS number in the launch link is not valid');
    expect(await refusals(subject)).toEqual([
      expect.stringContaining('Portal launch refused (invalid-nhs-number)'),
    ]);
  });

  it('a forged token (unknown key) and a missing token are refused', async () => {
    const url = await portal.launchUrl({ role: 'gp', nhsNumber, birthDate });
    const forged = url.replace(/\.[^.]+$/, '.' + Buffer.from('not-a-signature').toString('base64url'));
    expect((await open(forged)).status).toBe(401);
    expect((await open(`${portal.url}/launch`)).status).toBe(401);
  });

  it('the record page takes no patient from the URL: without a session it is refused', async () => {
    const answer = await open(`${portal.url}/record?patient=launch-${tag}-gp&nhs_number=${nhsNumber}`);
    expect(answer.status).toBe(401);
    expect(await answer.text()).not.toContain('Allergy to penicillin');
  });

  it('without a legitimate relationship the record stays closed until the user breaks the glass, which is audited', async () => {
    const subject = `stranger-${randomUUID()}`;
    const launched = await open(
      await portal.launchUrl({ role: 'mental-health', org: 'RGD', subject, nhsNumber, birthDate }),
    );
    let cookie = launched.headers.get('set-cookie')!.split(';')[0];
    const closed = await fetch(`${portal.url}/record`, { headers: { cookie } });
    expect(closed.status).toBe(403);
    const page = await closed.text();
    expect(page).toContain('Your organisation has no recorded relationship with this patient');
    expect(page).not.toContain('Allergy to penicillin');

    const post = (body: string) =>
      fetch(`${portal.url}/record/break-glass`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await post('reason=emergency&detail=short')).status).toBe(400);
    const broken = await post('reason=emergency&detail=Unconscious+in+our+crisis+house');
    expect(broken.status).toBe(303);
    cookie = broken.headers.get('set-cookie')!.split(';')[0];
    const opened = await fetch(`${portal.url}/record`, { headers: { cookie } });
    expect(opened.status).toBe(200);
    const record = await opened.text();
    expect(record).toContain('Allergy to penicillin');
    expect(record).toContain('Emergency access');
    const flagged = await sql<{ count: string }[]>`
      SELECT count(*) FROM audit_event
      WHERE content::text LIKE ${`%${subject}%`} AND content::text LIKE '%"BTG"%'
        AND content::text LIKE '%Unconscious in our crisis house%'`;
    expect(Number(flagged[0].count)).toBeGreaterThan(0);
  });
});
