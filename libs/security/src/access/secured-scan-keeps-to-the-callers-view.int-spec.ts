import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import { randomUUID } from 'node:crypto';
import {
  AuditLog,
  ConsentQueries,
  type ResourceStore,
  RestrictedPersonQueries,
  type ScannedResource,
} from '@continuum/store';
import { openTestStore } from '@continuum/store/testing/test-store';
import type { AuditEvent, Consent, Observation, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { auditedPatients } from '../audit/audit-event.builder';
import { AuditEventSearch } from '../audit/audit-event.search';
import { AuditRecorder } from '../audit/audit.recorder';
import { ConsentGate } from '../consent/consent.gate';
import { type AccessClaims, accessContextFrom } from './access-context';
import { runWithAccess } from './access-scope';
import { AccessGuardrails } from './access.guardrails';
import { RestrictedPeople } from './restricted-people';
import { SecuredResourceStore } from './secured-resource.store';

/**
 * The secured door's scan (exports, views) keeps to what the caller may see, as its reads and searches do: a
 * patient/ token scans its own compartment, the national data opt-out removes a person from secondary use but not
 * from direct care, types without read scope are left out, and every page is audited with its patients.
 */
describe('a scan through the secured door keeps to the caller’s view', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let secured: ResourceStore;
  let log: AuditLog;
  const since = new Date(Date.now() - 1000);
  const source = `urn:continuum:scan-test:${randomUUID()}`;
  const people = { kept: '', optedOut: '' };

  const scanAs = async (claims: AccessClaims): Promise<ScannedResource[]> =>
    runWithAccess(accessContextFrom({ sub: 'scan-test', ...claims }), undefined, async () => {
      const rows: ScannedResource[] = [];
      for await (const page of secured.scan({ since })) rows.push(...page);
      return rows.filter((row) => row.sourceSystem === source);
    });
  const refs = (rows: ScannedResource[]) => rows.map((row) => `${row.resourceType}/${row.id}`).sort();

  beforeAll(async () => {
    const opened = await openTestStore();
    ({ sql, close } = opened);
    log = new AuditLog(sql, auditedPatients);
    const consents = new ConsentQueries(sql);
    const gate = new ConsentGate(consents);
    secured = new SecuredResourceStore(
      opened.store,
      new AccessGuardrails(gate, 'http://localhost/fhir'),
      gate,
      consents,
      new AuditRecorder(log, 'scan-test'),
      new AuditEventSearch(sql),
      new RestrictedPeople(new RestrictedPersonQueries(sql), 'http://localhost/fhir'),
      { maxBundleEntries: 100, expensiveSearchesPerCaller: 4 },
    );
    const write = async (resource: Patient | Observation | Consent) =>
      (await opened.store.create(resource, { sourceSystem: source })).id;
    for (const person of ['kept', 'optedOut'] as const) {
      people[person] = await write({ resourceType: 'Patient', active: true });
      await write({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'scan-test' },
        subject: { reference: `Patient/${people[person]}` },
      });
    }
    await write(aNationalDataOptOut(people.optedOut));
  });
  afterAll(async () => {
    await log.flush();
    await close();
  });

  it('gives a direct-care system client everyone', async () => {
    const rows = await scanAs({ scope: 'system/*.rs' });
    expect(rows.filter((row) => row.resourceType !== 'Consent')).toHaveLength(4);
  });

  it('leaves an opted-out person out of secondary use, whichever type', async () => {
    const rows = await scanAs({ scope: 'system/*.rs', purpose_of_use: 'HOPERAT' });
    expect(rows.length).toBe(2);
    expect(rows.every((row) => row.compartments.includes(people.kept))).toBe(true);
  });

  it('confines a patient/ token to its compartment', async () => {
    const rows = await scanAs({ scope: 'patient/*.rs', patient: people.kept });
    expect(refs(rows)).toEqual(
      refs((await scanAs({ scope: 'system/*.rs' })).filter((row) => row.compartments.includes(people.kept))),
    );
  });

  it('needs search scope on what it scans, and reads only the types it may read', async () => {
    await expect(scanAs({ scope: 'system/Patient.rs' })).rejects.toMatchObject({ status: 403 });
    const rows = await runWithAccess(
      accessContextFrom({ sub: 'scan-test', scope: 'system/Patient.rs' }),
      undefined,
      async () => {
        const found: ScannedResource[] = [];
        for await (const page of secured.scan({ since, types: { include: ['Patient'] } }))
          found.push(...page);
        return found.filter((row) => row.sourceSystem === source);
      },
    );
    expect(rows.map((row) => row.resourceType)).toEqual(['Patient', 'Patient']);
  });

  it('gives its connection back when the reader stops early', async () => {
    // each scan holds a connection of its own while it runs: more abandoned scans than the pool has connections
    // would hang the next one if they were not given back
    const firstPage = () =>
      runWithAccess(accessContextFrom({ sub: 'scan-test', scope: 'system/*.rs' }), undefined, async () => {
        for await (const page of secured.scan({ since, pageSize: 1 })) return page;
        return [];
      });
    for (let i = 0; i < 12; i++) expect(await firstPage()).toHaveLength(1);
    const rows = await scanAs({ scope: 'system/*.rs' });
    expect(rows.filter((row) => row.resourceType !== 'Consent')).toHaveLength(4);
  });

  it('audits each page with the patients it carried', async () => {
    const subject = `scan-auditor-${randomUUID()}`;
    await runWithAccess(accessContextFrom({ sub: subject, scope: 'system/*.rs' }), undefined, async () => {
      for await (const page of secured.scan({ since })) void page;
    });
    await log.flush();
    const events = await sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT content, patient_ids FROM audit_event
      WHERE content->'agent' @> ${sql.json([{ who: { identifier: { value: subject } } }])}`;
    expect(events.length).toBeGreaterThanOrEqual(2); // the scan's start, then its pages
    expect(events.flatMap((event) => event.patient_ids)).toEqual(
      expect.arrayContaining([people.kept, people.optedOut]),
    );
  });
});
