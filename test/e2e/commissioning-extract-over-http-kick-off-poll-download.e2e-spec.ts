import { createSql } from '@continuum/store';
import { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT } from '@continuum/security';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { Consent, Encounter, OperationOutcome, Parameters, Patient } from 'fhir/r4';
import { type ExportStack, startExportStack } from './support/export-stack';
import { fhirHttp } from './support/fhir-http';

const CARE = 'https://continuum.example.nhs.uk/CodeSystem/care-setting';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

interface ExtractStatus {
  transactionTime: string;
  requiresAccessToken: true;
  output: { type: string; url: string; count: number }[];
  extract: {
    recipient: string;
    files: { name: string; rows: number; sha256: string }[];
    optOuts: { nationalDataOptOut: { rowsRemoved: number } };
  };
}

/**
 * `$extract` through the real API and exporter app: a request missing its legal basis and agreement is refused
 * naming each gap; only a system client that may search every pack type may ask; the job (kind `extract`) runs the
 * governed pipeline in the exporter (the opted-out person's contact is left out), is polled like `$export`, and its
 * CSV and manifest download only with the kick-off client's token; kick-off and downloads are audited.
 */
describe('$extract over HTTP', () => {
  let stack: ExportStack;
  let http: ReturnType<typeof fhirHttp>;
  const run = Date.now().toString(36);
  // a month of its own (far ahead), so the shared test database's other contacts do not count
  const period = `${2100 + (Date.now() % 800)}-${String(1 + (Date.now() % 12)).padStart(2, '0')}`;

  const parameters = (values: Record<string, string>): Parameters => ({
    resourceType: 'Parameters',
    parameter: Object.entries(values).map(([name, valueString]) => ({ name, valueString })),
  });
  const complete = {
    pack: 'community-contacts',
    period,
    recipient: 'icb-bi',
    purpose: 'HOPERAT',
    legalBasis: 'NHS Act 2006 s.251',
    agreement: 'DSA-2026-014',
    identifiability: 'identifiable',
  };

  beforeAll(async () => {
    stack = await startExportStack();
    const token = await stack.issue({ scope: 'system/*.cruds', clientId: 'extract-e2e', purposeOfUse: 'HOPERAT' });
    http = fhirHttp(stack.api.base, { authorization: `Bearer ${token}` });
    for (let i = 0; i < 3; i++) {
      const patient: Patient = { resourceType: 'Patient', id: `xp-${run}-${i}`, name: [{ family: `Extract${run}` }] };
      expect((await http('PUT', `Patient/${patient.id}`, { body: patient })).status).toBe(201);
      const contact: Encounter = {
        resourceType: 'Encounter',
        id: `xe-${run}-${i}`,
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
        type: [{ coding: [{ system: CARE, code: 'community' }] }],
        subject: { reference: `Patient/${patient.id}` },
        period: { start: `${period}-0${i + 1}T10:00:00Z` },
        serviceProvider: { identifier: { system: ODS, value: 'RYY' } },
      };
      expect((await http('PUT', `Encounter/${contact.id}`, { body: contact })).status).toBe(201);
    }
    const optOut: Consent = {
      resourceType: 'Consent',
      id: `xc-${run}`,
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
      category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: NATIONAL_DATA_OPT_OUT }] }],
      patient: { reference: `Patient/xp-${run}-2` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny' },
    };
    expect((await http('PUT', `Consent/${optOut.id}`, { body: optOut })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses a request without its legal basis and agreement, naming each gap, before any job exists', async () => {
    const { legalBasis: _basis, agreement: _agreement, ...partial } = complete;
    const refused = await http<OperationOutcome>('POST', '$extract', { body: parameters(partial) });
    expect(refused.status).toBe(400);
    const said = refused.body?.issue.map((issue) => issue.diagnostics);
    expect(said).toEqual(expect.arrayContaining(['legalBasis is required', 'dataSharingAgreement is required']));
    expect(refused.headers.get('content-location')).toBeNull();
  });

  it('is for system clients that may search every type a pack reads', async () => {
    const narrow = await stack.issue({ scope: 'system/Encounter.rs system/Patient.rs', clientId: 'narrow' });
    const answer = await http<OperationOutcome>('POST', '$extract', {
      body: parameters(complete),
      headers: { authorization: `Bearer ${narrow}` },
    });
    expect(answer.status).toBe(403);
    expect(answer.body?.issue[0].diagnostics).toContain('Appointment, Procedure');
  });

  it('runs in the exporter, polled like $export; files only for the kick-off client; audited', async () => {
    const accepted = await http<OperationOutcome>('POST', '$extract', { body: parameters(complete) });
    expect(accepted.status).toBe(202);
    const statusUrl = accepted.headers.get('content-location') as string;
    expect(statusUrl).toMatch(/\/\$export-status\/[0-9a-f-]{36}$/);

    let status: ExtractStatus | undefined;
    for (let polls = 0; !status && polls < 120; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answer = await http<ExtractStatus>('GET', statusUrl);
      if (answer.status === 202) {
        expect(answer.headers.get('x-progress')).toBeTruthy();
        expect(answer.headers.get('retry-after')).toBe('1');
      } else {
        expect(answer.status).toBe(200);
        status = answer.body;
      }
    }
    expect(status?.requiresAccessToken).toBe(true);
    const extract = status!.extract;
    expect(extract.recipient).toBe('icb-bi');
    expect(extract.optOuts.nationalDataOptOut.rowsRemoved).toBe(1);
    const csvName = `community-contacts-${period}.csv`;
    expect(extract.files).toEqual([expect.objectContaining({ name: csvName, rows: 2 })]);
    const csv = status!.output.find((entry) => entry.type === 'csv');
    expect(status!.output.map((entry) => entry.url.split('/').pop()).sort()).toEqual(
      [csvName, `community-contacts-${period}.manifest.json`].sort(),
    );

    const token = (await stack.issue({ scope: 'system/*.cruds', clientId: 'extract-e2e' })) as string;
    const download = await fetch(csv!.url, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await download.text();
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(3); // the header and the two contacts of the people who did not opt out
    expect(text).toContain(`xe-${run}-0`);
    expect(text).toContain(`xe-${run}-1`);
    expect(text).not.toContain(`xe-${run}-2`);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(extract.files[0].sha256);

    const other = await stack.issue({ scope: 'system/*.rs', clientId: 'someone-else' });
    expect((await fetch(csv!.url, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403);

    const sql = createSql({ url: TEST_DATABASE_URL, poolSize: 1, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000 });
    const id = statusUrl.split('/').pop() as string;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [edge] = await sql<{ count: string }[]>`
      SELECT count(*) FROM audit_event WHERE subtype = 'operation' AND content::text LIKE ${`%${id}%`}`;
    const [released] = await sql<{ count: string }[]>`
      SELECT count(*) FROM audit_event WHERE content::text LIKE ${`%${extract.files[0].sha256}%`}`;
    const [kind] = await sql<{ kind: string }[]>`SELECT kind FROM export_job WHERE id = ${id}`;
    await sql.end();
    expect(Number(edge.count)).toBeGreaterThanOrEqual(3); // kick-off, polls, the downloads (refused one too)
    expect(Number(released.count)).toBe(1); // the extract's own AuditEvent, with the file's SHA-256
    expect(kind.kind).toBe('extract');
  }, 240_000);
});
