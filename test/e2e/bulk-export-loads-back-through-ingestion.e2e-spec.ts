import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@continuum/testing';
import type { Condition, Observation, Patient } from 'fhir/r4';
import { fhirMessages } from '../../apps/cli/src/publishing/fhir-messages.reader';
import { publishAll } from '../../apps/cli/src/publishing/publish-runner';
import { BulkExportClient, countMismatches } from '../../apps/cli/src/export/bulk-export.client';
import { IngestTestHarness } from '../../apps/ingest/src/testing/ingest-test-harness';
import { type ExportStack, startExportStack } from './support/export-stack';
import { fhirHttp } from './support/fhir-http';

/**
 * Round trip: what Continuum exports (a Patient-level export, downloaded by the CLI's client) loads back through
 * Continuum's own ingestion (the CLI's NDJSON publisher → fhir.inbound → the ingest app) with equal counts per type.
 */
describe('a Bulk Data export loads back through ingestion', () => {
  let stack: ExportStack;
  let ingest: IngestTestHarness;

  beforeAll(async () => {
    stack = await startExportStack();
    ingest = new IngestTestHarness();
    await ingest.start();
  }, 120_000);
  afterAll(async () => {
    await ingest?.stop();
    await stack?.close();
  });

  it('gives the same number of resources of each type', async () => {
    const token = await stack.issue({ scope: 'system/*.cruds', clientId: 'export-round-trip', purposeOfUse: 'TREAT' });
    const http = fhirHttp(stack.api.base, { authorization: `Bearer ${token}` });
    const patients: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await http<Patient>('POST', 'Patient', {
        body: { resourceType: 'Patient', name: [{ family: `RoundTrip${i}`, given: ['Export'] }], birthDate: '1980-02-03' },
      });
      const id = created.body?.id as string;
      patients.push(id);
      for (let n = 0; n < 2; n++)
        await http('POST', 'Observation', {
          body: { resourceType: 'Observation', status: 'final', code: { text: `weight ${n}` }, subject: { reference: `Patient/${id}` } } as Observation,
        });
      await http('POST', 'Condition', {
        body: { resourceType: 'Condition', code: { text: 'asthma' }, subject: { reference: `Patient/${id}` } } as Condition,
      });
    }

    const out = mkdtempSync(join(tmpdir(), 'continuum-round-trip-'));
    const client = new BulkExportClient(stack.api.base, token);
    const statusUrl = await client.kickOff(
      'Patient/$export',
      patients.map((id): [string, string] => ['patient', `Patient/${id}`]),
    );
    const manifest = await client.manifest(statusUrl, 60_000);
    const files = await client.download(manifest, out);
    expect(countMismatches(files)).toEqual([]);
    const exported = Object.fromEntries(
      ['Patient', 'Observation', 'Condition'].map((type) => [
        type,
        files.filter((file) => file.type === type).reduce((sum, file) => sum + file.lines, 0),
      ]),
    );
    expect(exported).toEqual({ Patient: 3, Observation: 6, Condition: 3 });

    const sourceSystem = `ROUNDTRIP${ingest.suffix.toUpperCase().replace(/[^A-Z0-9]/g, '')}:export`;
    const summary = await publishAll(
      ingest.publisher,
      fhirMessages(readdirSync(out).map((name) => join(out, name)), ingest.topics.fhir, sourceSystem),
      { progress: false },
    );
    expect(summary.problems).toEqual([]);
    const stored = async () => {
      const rows = await ingest.store.scan({ since: new Date(Date.now() - 600_000) });
      const counts: Record<string, number> = {};
      for await (const page of rows)
        for (const row of page)
          if (row.sourceSystem === sourceSystem && row.resourceType !== 'Provenance')
            counts[row.resourceType] = (counts[row.resourceType] ?? 0) + 1;
      return counts;
    };
    const sorted = (counts: Record<string, number>) => JSON.stringify(Object.entries(counts).sort());
    await waitFor(stored, (counts) => sorted(counts) === sorted(exported), {
      timeoutMs: 60_000,
      what: 'the exported resources to be ingested',
    });
    rmSync(out, { recursive: true, force: true });
  }, 180_000);
});
