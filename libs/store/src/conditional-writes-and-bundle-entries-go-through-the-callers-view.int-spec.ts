import { randomUUID } from 'node:crypto';
import { forbidden, parseSearchRequest, patientCompartmentsOf } from '@continuum/fhir';
import type { Bundle, BundleEntry, Observation, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { ConsentQueries } from './consent/consent.queries';
import type { FhirStore } from './fhir-store';
import type { ResourceRef } from './scan/resource-source.reader';
import type { RecordView, ResourceChange } from './store.types';
import { aPatient, anObservation, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { failure, openTestStore, token } from './testing/test-store';

/**
 * The store applies a caller's view (WriteContext.view) wherever it finds or changes something on the caller's
 * behalf: conditional matches (paging past hidden ones), conditional references in a transaction, bundle reads and
 * searches, and every change under its row lock, before If-Match. Here the view is a test one that hides one
 * patient's compartment and refuses changes to it; libs/security's CallerView is the real one.
 */
class HidingView implements RecordView {
  readonly changes: ResourceChange[] = [];

  constructor(
    private readonly hidden: string,
    private readonly consents: ConsentQueries,
  ) {}

  async visible<T extends ResourceRef>(tx: postgres.TransactionSql, candidates: T[]): Promise<T[]> {
    const compartments = await this.consents.compartments(candidates, tx);
    return candidates.filter(
      (ref) => !(compartments.get(`${ref.resourceType}/${ref.id}`) ?? []).includes(this.hidden),
    );
  }

  async assertReadable(_tx: postgres.TransactionSql, resource: Resource): Promise<void> {
    if (patientCompartmentsOf(resource).includes(this.hidden)) throw forbidden('hidden');
  }

  async assertChange(tx: postgres.TransactionSql, change: ResourceChange): Promise<void> {
    this.changes.push(change);
    if (change.current) await this.assertReadable(tx, change.current);
  }
}

describe('conditional writes and bundle entries go through the caller’s view', () => {
  let store: FhirStore;
  let consents: ConsentQueries;
  let close: () => Promise<void>;
  const hidden = { patient: '', observation: '' };
  const visible = { patient: '', observation: '' };
  const tag = `view-${token()}`;
  let view: HidingView;

  const tagged = (patient: string, overrides: Partial<Observation> = {}) =>
    anObservation(`Patient/${patient}`, {
      identifier: [{ system: 'urn:test:view', value: tag }],
      ...overrides,
    });
  const byTag = `identifier=urn:test:view|${tag}`;
  const version = async (type: string, id: string) => (await store.read(type, id)).meta?.versionId;

  beforeAll(async () => {
    const opened = await openTestStore();
    ({ store, close } = opened);
    consents = new ConsentQueries(opened.sql);
    hidden.patient = (await store.create(aPatient(`hidden-${tag}`))).id;
    visible.patient = (await store.create(aPatient(`visible-${tag}`))).id;
    // more hidden matches than one page of candidates, then the one visible match
    await store.upsertMany(
      Array.from({ length: 101 }, () => ({ resource: { ...tagged(hidden.patient), id: randomUUID() } })),
    );
    hidden.observation = (await store.create(anObservation(`Patient/${hidden.patient}`))).id;
    visible.observation = (await store.create(tagged(visible.patient))).id;
  });
  beforeEach(() => (view = new HidingView(hidden.patient, consents)));
  afterAll(() => close());

  it('matches conditional criteria through the view, paging past hidden matches to the visible one', async () => {
    const existing = await store.create(tagged(visible.patient), { view }, { ifNoneExist: byTag });
    expect(existing).toMatchObject({ outcome: 'existing', id: visible.observation });
    // without the view the same criteria match many
    expect((await failure(store.create(tagged(visible.patient), {}, { ifNoneExist: byTag }))).status).toBe(
      412,
    );

    const updated = await store.conditionalUpdate(tagged(visible.patient, { status: 'amended' }), byTag, {
      view,
    });
    expect(updated).toMatchObject({ outcome: 'updated', id: visible.observation });
    expect(view.changes.at(-1)).toMatchObject({ id: visible.observation, current: { status: 'final' } });
  });

  it('treats hidden matches as absent: If-None-Exist creates, a conditional update creates, a delete finds nothing', async () => {
    const criteria = `_id=${hidden.observation}`;
    const created = await store.create(tagged(visible.patient), { view }, { ifNoneExist: criteria });
    expect(created.outcome).toBe('created');
    expect(created.id).not.toBe(hidden.observation);
    const put = await store.conditionalUpdate(anObservation(`Patient/${visible.patient}`), criteria, {
      view,
    });
    expect(put.outcome).toBe('created');
    expect(await store.conditionalDelete('Observation', criteria, { view })).toMatchObject({
      outcome: 'not-found',
    });
    expect(await version('Observation', hidden.observation)).toBe('1');
  });

  it('puts every change to the view under the row lock, before If-Match can answer', async () => {
    const hiddenContent = await store.read<Observation>('Observation', hidden.observation);
    const stale = await failure(
      store.update({ ...hiddenContent, status: 'amended' }, { view }, { ifMatch: 'W/"99"' }),
    );
    expect(stale.status).toBe(403); // not 412, which would tell the version
    expect((await failure(store.delete('Observation', hidden.observation, { view }))).status).toBe(403);
    const test = [{ op: 'test' as const, path: '/status', value: 'preliminary' }];
    expect((await failure(store.patch('Observation', hidden.observation, test, { view }))).status).toBe(403);
    expect(await version('Observation', hidden.observation)).toBe('1');

    const patched = await store.patch(
      'Observation',
      visible.observation,
      [{ op: 'replace', path: '/status', value: 'corrected' }],
      { view },
    );
    expect(patched.outcome).toBe('updated');
    expect(view.changes.at(-1)).toMatchObject({
      current: { status: 'amended' },
      next: { status: 'corrected' },
    });
    await store.delete('Observation', visible.observation, { view });
    expect(view.changes.at(-1)).toMatchObject({ id: visible.observation, next: null });
  });

  it('runs each bundle entry through the view: references, reads, searches and changes', async () => {
    const transaction = (entry: BundleEntry[]): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry,
    });
    const hiddenByIdentifier = `Patient?identifier=https://continuum.example/Id/store-test|hidden-${tag}`;
    const reference = await failure(
      store.processBundle(
        transaction([
          { resource: anObservation(hiddenByIdentifier), request: { method: 'POST', url: 'Observation' } },
        ]),
        { view },
      ),
    );
    expect(reference.status).toBe(412);
    expect(reference.outcome.issue[0].diagnostics).toMatch(/matches nothing/);

    const deleting = await failure(
      store.processBundle(
        transaction([{ request: { method: 'DELETE', url: `Observation/${hidden.observation}` } }]),
        {
          view,
        },
      ),
    );
    expect(deleting.status).toBe(403);

    // plain creates and updates are written together (putMany), each still put to the view, the refusal located
    const createdThere = `view-together-${token()}`;
    const hiddenContent = await store.read<Observation>('Observation', hidden.observation);
    const together = await failure(
      store.processBundle(
        transaction([
          { resource: aPatient(createdThere), request: { method: 'POST', url: 'Patient' } },
          {
            resource: { ...hiddenContent, status: 'amended' },
            request: { method: 'PUT', url: `Observation/${hidden.observation}` },
          },
        ]),
        { view },
      ),
    );
    expect(together.status).toBe(403);
    expect(together.outcome.issue[0].expression).toEqual(['Bundle.entry[1]']);
    expect(view.changes.slice(-2).map((change) => change.resourceType)).toEqual(['Patient', 'Observation']);
    expect(await version('Observation', hidden.observation)).toBe('1');
    expect(
      await store.search(
        parseSearchRequest('Patient', { identifier: `${TEST_IDENTIFIER_SYSTEM}|${createdThere}` }),
      ),
    ).toMatchObject({ matches: [] });

    const batch = await store.processBundle(
      {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Observation/${hidden.observation}` } },
          { request: { method: 'GET', url: `Observation?${byTag}&_count=200` } },
          { request: { method: 'DELETE', url: `Observation?_id=${hidden.observation}` } },
        ],
      },
      { view },
    );
    const [read, search, conditionalDelete] = batch.entry ?? [];
    expect(read.response?.status).toBe('403 Forbidden');
    const searchset = search.resource as Bundle;
    expect((searchset.entry ?? []).filter((entry) => entry.search?.mode === 'match')).toHaveLength(1);
    expect(searchset.entry?.some((entry) => entry.search?.mode === 'outcome')).toBe(true);
    expect(searchset.total).toBeUndefined();
    expect(conditionalDelete.response?.status).toBe('204 No Content');
    expect(await version('Observation', hidden.observation)).toBe('1');
  });
});
