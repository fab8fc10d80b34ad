import { anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { ConsentQueries, type FhirStore } from '@continuum/store';
import { openTestStore } from '@continuum/store/testing/test-store';
import type { Bundle, Consent, Observation } from 'fhir/r4';
import type postgres from 'postgres';
import type { AuditTarget } from '../audit/audit.recorder';
import { ConsentGate } from '../consent/consent.gate';
import { type AccessClaims, accessContextFrom } from './access-context';
import { AccessGuardrails } from './access.guardrails';
import { CallerView } from './caller-view';

/**
 * CallerView, the view the secured store hands to the plain store: which candidates (conditional matches, bundle
 * search results) a caller may see, judged on their stored compartments and the patients' consents, read inside
 * the write's own transaction.
 */
describe('the caller’s view judges candidates inside the write’s transaction', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let close: () => Promise<void>;
  let consents: ConsentQueries;
  let guardrails: AccessGuardrails;
  let gate: ConsentGate;
  const ids = { objector: '', other: '', objectorObs: '', otherObs: '', practitioner: '' };

  const objection = (patient: string): Consent => anObjection(patient);
  const observation = (patient: string): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'caller-view' },
    subject: { reference: `Patient/${patient}` },
  });
  const viewOf = (claims: AccessClaims) => {
    const target: AuditTarget = { patientIds: new Set(), resources: [] };
    const access = accessContextFrom({ sub: 'caller-view-test', ...claims });
    return { target, view: new CallerView(access, target, guardrails, gate, consents) };
  };
  const refs = () => [
    { resourceType: 'Observation', id: ids.objectorObs },
    { resourceType: 'Observation', id: ids.otherObs },
    { resourceType: 'Practitioner', id: ids.practitioner },
  ];
  /** Runs `work` in a transaction that is always rolled back. */
  const inRolledBack = async <T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> => {
    let value: T | undefined;
    await sql
      .begin(async (tx) => {
        value = await work(tx);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    return value as T;
  };

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
    consents = new ConsentQueries(sql);
    gate = new ConsentGate(consents);
    guardrails = new AccessGuardrails(gate, 'http://localhost/fhir');
    ids.objector = (await store.create({ resourceType: 'Patient' })).id;
    ids.other = (await store.create({ resourceType: 'Patient' })).id;
    ids.objectorObs = (await store.create(observation(ids.objector))).id;
    ids.otherObs = (await store.create(observation(ids.other))).id;
    ids.practitioner = (await store.create({ resourceType: 'Practitioner' })).id;
    await store.create(objection(ids.objector));
  });
  afterAll(() => close());

  it('leaves out what consent hides from a clinician elsewhere, and notes the patients of what it keeps', async () => {
    const { view, target } = viewOf({ scope: 'user/*.cruds', role: 'clinician', org: 'RX1' });
    const kept = await inRolledBack((tx) => view.visible(tx, refs()));
    expect(kept.map((ref) => ref.id)).toEqual([ids.otherObs, ids.practitioner]);
    expect([...target.patientIds]).toEqual([ids.other]);
    expect(view.compartment).toBeUndefined();
  });

  it('sees a consent written earlier in the same transaction', async () => {
    const late = (await store.create({ resourceType: 'Patient' })).id;
    const lateObs = (await store.create(observation(late))).id;
    const { view } = viewOf({ scope: 'user/*.cruds', role: 'clinician', org: 'RX1' });
    const response = await store.processBundle(
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: objection(late), request: { method: 'POST', url: 'Consent' } },
          { request: { method: 'GET', url: `Observation?_id=${lateObs}` } },
        ],
      },
      { view },
    );
    const searchset = response.entry?.[1].resource as Bundle;
    expect((searchset.entry ?? []).filter((entry) => entry.search?.mode === 'match')).toEqual([]);
  });

  it('keeps a patient token to its compartment and to the types it may read', async () => {
    const { view } = viewOf({ scope: 'patient/Observation.rs', patient: ids.objector });
    expect(view.compartment).toEqual([ids.objector]);
    const kept = await inRolledBack((tx) => view.visible(tx, refs()));
    expect(kept.map((ref) => ref.id)).toEqual([ids.objectorObs]);
  });

  it('refuses, inside the transaction, a change to what the caller may not see', async () => {
    const { view } = viewOf({ scope: 'user/*.cruds', role: 'clinician', org: 'RX1' });
    const current = await store.read<Observation>('Observation', ids.objectorObs);
    const refused = await inRolledBack((tx) =>
      view
        .assertChange(tx, { resourceType: 'Observation', id: ids.objectorObs, current, next: null })
        .then(() => 'allowed')
        .catch((error: { status: number }) => error.status),
    );
    expect(refused).toBe(403);
  });
});
