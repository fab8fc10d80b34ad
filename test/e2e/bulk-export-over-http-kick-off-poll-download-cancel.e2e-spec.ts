import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSql } from '@continuum/store';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { OperationOutcome, Patient } from 'fhir/r4';
import { BulkExportClient, countMismatches, type Manifest } from '../../apps/cli/src/export/bulk-export.client';
import { type ExportStack, startExportStack } from './support/export-stack';
import { fhirHttp } from './support/fhir-http';

/**
 * FHIR Bulk Data over HTTP, the API and the exporter app wired as in production: kick-off 202 with
 * Content-Location, polls 202 with X-Progress and Retry-After (429 when too soon), the manifest with Expires, files
 * with byte ranges (the CLI's client resumes a partial download and checks counts), DELETE cancels, only the
 * kick-off client may use the job, and kick-off, download and cancel are audited.
 */
describe('Bulk Data $export over HTTP', () => {
  let stack: ExportStack;
  let token: string;
  let http: ReturnType<typeof fhirHttp>;
  const started = new Date(Date.now() - 1000).toISOString();
  const family = `Export${Date.now().toString(36)}`;

  beforeAll(async () => {
    stack = await startExportStack();
    token = await stack.issue({ scope: 'system/*.cruds', clientId: 'export-e2e', purposeOfUse: 'TREAT' });
    http = fhirHttp(stack.api.base, { authorization: `Bearer ${token}` });
    for (let i = 0; i < 5; i++)
      expect((await http('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family }] } as Patient })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const kickOff = (query: string, headers: Record<string, string> = {}) =>
    http<OperationOutcome>('GET', `$export?${query}`, { headers: { prefer: 'respond-async', ...headers } });

  async function manifestOf(statusUrl: string): Promise<{ manifest: Manifest; expires: string | null }> {
    for (;;) {
      const status = await http<Manifest>('GET', statusUrl);
      if (status.status === 200) return { manifest: status.body as Manifest, expires: status.headers.get('expires') };
      expect(status.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  it('kicks off with 202, answers polls with progress, 429 when too soon, then the manifest', async () => {
    const answer = await kickOff(`_type=Patient&_since=${encodeURIComponent(started)}`);
    expect(answer.status).toBe(202);
    const statusUrl = answer.headers.get('content-location') as string;
    expect(statusUrl).toMatch(/\/\$export-status\/[0-9a-f-]{36}$/);

    const first = await http('GET', statusUrl);
    if (first.status === 202) {
      expect(first.headers.get('x-progress')).toBeTruthy();
      expect(first.headers.get('retry-after')).toBe('1');
    }
    const tooSoon = await http<OperationOutcome>('GET', statusUrl);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const { manifest, expires } = await manifestOf(statusUrl);
    expect(expires && Date.parse(expires)).toBeGreaterThan(Date.now());
    expect(manifest).toMatchObject({ requiresAccessToken: true, request: expect.stringContaining('$export?_type=Patient'), error: [] });
    expect(manifest.deleted).toEqual(expect.any(Array));
    expect(Date.parse(manifest.transactionTime)).toBeLessThanOrEqual(Date.now());
    const patients = manifest.output.filter((entry) => entry.type === 'Patient');
    expect(patients.reduce((sum, entry) => sum + entry.count, 0)).toBeGreaterThanOrEqual(5);

    // the CLI's client: a partial file is completed with a Range request, and counts are checked
    const out = mkdtempSync(join(tmpdir(), 'continuum-export-out-'));
    const client = new BulkExportClient(stack.api.base, token);
    const files = await client.download(manifest, out);
    const partial = files[0];
    const whole = readFileSync(partial.path, 'utf8');
    truncateSync(partial.path, Math.floor(whole.length / 2));
    await client.downloadFile(partial.url, partial.path);
    expect(readFileSync(partial.path, 'utf8')).toBe(whole);
    expect(countMismatches(files)).toEqual([]);
    const lines = files.flatMap((file) => readFileSync(file.path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Patient));
    expect(lines.filter((patient) => patient.name?.[0].family === family)).toHaveLength(5);
    rmSync(out, { recursive: true, force: true });

    const range = await fetch(patients[0].url, { headers: { authorization: `Bearer ${token}`, range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toMatch(/^bytes 0-9\/\d+$/);
    expect((await range.text()).length).toBe(10);

    // only the kick-off client; then DELETE removes the job and its files
    const other = await stack.issue({ scope: 'system/*.rs', clientId: 'someone-else' });
    expect((await fetch(patients[0].url, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403);
    expect((await http('GET', statusUrl, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403);
    expect((await http('DELETE', statusUrl)).status).toBe(202);
    expect((await http('GET', statusUrl)).status).toBe(404);
    expect((await fetch(patients[0].url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);

    const sql = createSql({ url: TEST_DATABASE_URL, poolSize: 1, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000 });
    const id = statusUrl.split('/').pop() as string;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [audited] = await sql<{ count: string }[]>`
      SELECT count(*) FROM audit_event WHERE subtype = 'operation' AND content::text LIKE ${`%${id}%`}`;
    await sql.end();
    expect(Number(audited.count)).toBeGreaterThanOrEqual(4); // kick-off, three downloads and more, the cancel
  }, 120_000);

  it('refuses an unknown parameter or type with a 400 naming it, unless handling is lenient', async () => {
    const unknown = await kickOff('_type=Patient&_bogus=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body?.issue[0].diagnostics).toContain('_bogus');
    const badType = await kickOff('_type=Patient,Nonsense');
    expect(badType.status).toBe(400);
    expect(badType.body?.issue[0].diagnostics).toContain('Nonsense');
    const lenient = await kickOff(`_type=Patient,Nonsense&_since=${encodeURIComponent(new Date().toISOString())}`, {
      prefer: 'respond-async, handling=lenient',
    });
    expect(lenient.status).toBe(202);
    const { manifest } = await manifestOf(lenient.headers.get('content-location') as string);
    expect(manifest.error).toEqual([expect.objectContaining({ type: 'OperationOutcome', count: 1 })]);
    const errors = await fetch(manifest.error[0].url, { headers: { authorization: `Bearer ${token}` } });
    expect(await errors.text()).toContain('Nonsense');
  }, 60_000);

  it('npm run cli -- export kicks off, polls, downloads and checks the counts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'continuum-export-cli-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts',
        'export', '--type', 'Patient', '--since', started, '--out', out, '--base', stack.api.base, '--token', token,
      ],
      { cwd: resolve(__dirname, '../..'), timeout: 180_000 },
    );
    const rows = stdout.split('\n').filter((line) => line.startsWith('Patient\t'));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.reduce((sum, row) => sum + Number(row.split('\t')[1]), 0)).toBeGreaterThanOrEqual(5);
    expect(stdout).toContain('transactionTime');
    rmSync(out, { recursive: true, force: true });
  }, 240_000);
});
