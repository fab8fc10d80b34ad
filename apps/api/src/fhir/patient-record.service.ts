import { randomUUID } from 'node:crypto';
import { HttpConfig } from '@continuum/config';
import {
  buildPatientSummary,
  notSupported,
  parseReference,
  parseSearchRequest,
  type PatientRecord,
} from '@continuum/fhir';
import { type FoundResource, ResourceStore } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  Encounter,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Resource,
} from 'fhir/r4';
import { PAGING_PARAMS, searchsetBundle } from './search-bundle.builder';
import { currentCursor, decodePage } from './search-page.token';

/** Patient.link is followed this many hops (A40 merges and a master patient index make short chains). */
const MAX_LINK_HOPS = 4;
const MAX_LINKED_PATIENTS = 50;
const EVERYTHING_PARAMS = new Set(['_since', '_type', '_count', '_page', '_cursor', '_format', '_pretty']);

/**
 * A person's whole record across source systems: the Patient compartments of the patient and of every patient
 * linked to it (Patient.link, both directions), for `$everything` and `$summary`.
 */
@Injectable()
export class PatientRecordService {
  private readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  /** `Patient/[id]/$everything` with `_since`, `_type` and `_count`, paged like a search. */
  async everything(id: string, params: [string, string][]): Promise<Bundle> {
    const unknown = params.filter(([key]) => !EVERYTHING_PARAMS.has(key)).map(([key]) => key);
    if (unknown.length) throw notSupported(`Unsupported $everything parameter(s): ${unknown.join(', ')}`);
    const patientIds = await this.personIds(id);
    const param = (name: string) => params.find(([key]) => key === name)?.[1];
    const page = decodePage(param('_page'), param('_cursor'));
    const since = param('_since');
    const kept = params.filter(([key]) => !PAGING_PARAMS.has(key) && key !== '_format' && key !== '_pretty');
    const request = parseSearchRequest(
      undefined,
      [
        ...kept.filter(([key]) => key !== '_since'),
        ...(since ? ([['_lastUpdated', `ge${since}`]] as [string, string][]) : []),
      ],
      { strict: true, baseUrl: this.baseUrl, defaultCount: 100 },
    );
    request.cursor = currentCursor(page);
    const result = await this.store.search(request, {
      baseUrl: this.baseUrl,
      compartment: { patientIds },
      includeReferencedSharedResources: true,
    });
    return searchsetBundle(result, page, {
      baseUrl: this.baseUrl,
      path: `Patient/${id}/$everything`,
      params: kept,
    });
  }

  /** `Patient/[id]/$summary`: an International Patient Summary shaped document. */
  async summary(id: string): Promise<Bundle> {
    const patientIds = await this.personIds(id);
    const patient = await this.store.read<Patient>('Patient', id);
    const [allergies, conditions, statements, requests, encounters, results] = await Promise.all([
      this.compartment<AllergyIntolerance>(patientIds, 'AllergyIntolerance', [['_count', '200']]),
      this.compartment<Condition>(patientIds, 'Condition', [['_count', '200']]),
      this.compartment<MedicationStatement>(patientIds, 'MedicationStatement', [['_count', '200']]),
      this.compartment<MedicationRequest>(patientIds, 'MedicationRequest', [
        ['_count', '200'],
        ['status', 'active,on-hold'],
      ]),
      this.compartment<Encounter>(patientIds, 'Encounter', [
        ['_count', '10'],
        ['_sort', '-date'],
      ]),
      this.compartment<Observation>(patientIds, 'Observation', [
        ['_count', '20'],
        ['_sort', '-date'],
      ]),
    ]);
    const medications = [...statements, ...requests];
    const record: PatientRecord = {
      patient,
      allergies,
      conditions,
      medications,
      medicines: await this.medicines(medications),
      encounters,
      results,
    };
    return buildPatientSummary(record, { baseUrl: this.baseUrl, documentId: randomUUID(), now: new Date() });
  }

  /**
   * The person's records: every patient the master patient index links to this one, and every patient linked to
   * those by `Patient.link` (merges), both ways, a few hops deep. The secured store confines all of it to the
   * caller's access.
   */
  private async personIds(id: string): Promise<string[]> {
    await this.store.read('Patient', id); // 404/410, or refused by the secured store, before anything else
    const person = await this.store.personOf(id);
    const ids = new Set([id, ...person]);
    let frontier = [...ids];
    for (let hop = 0; hop < MAX_LINK_HOPS && frontier.length && ids.size < MAX_LINKED_PATIENTS; hop++) {
      const list = frontier.join(',');
      const [selves, linkers] = await Promise.all([
        this.find('Patient', [['_id', list]]),
        this.find('Patient', [['link', frontier.map((p) => `Patient/${p}`).join(',')]]),
      ]);
      const found = [
        ...selves.flatMap((patient) => linkedIds(patient.content as Patient, this.baseUrl)),
        ...linkers.map((patient) => patient.id),
      ];
      frontier = [...new Set(found)].filter((other) => !ids.has(other));
      frontier.forEach((other) => ids.add(other));
    }
    return [...ids].slice(0, MAX_LINKED_PATIENTS);
  }

  /** The Medication resources (outside any compartment) that these statements and requests reference. */
  private async medicines(medications: (MedicationStatement | MedicationRequest)[]): Promise<Medication[]> {
    const ids = [
      ...new Set(
        medications.flatMap((m) => {
          const reference = m.medicationReference?.reference;
          const parsed = reference ? parseReference(reference, this.baseUrl) : undefined;
          return parsed && !parsed.external && parsed.type === 'Medication' ? [parsed.id] : [];
        }),
      ),
    ];
    if (!ids.length) return [];
    const request = parseSearchRequest(
      'Medication',
      [
        ['_id', ids.join(',')],
        ['_count', String(ids.length)],
      ],
      { baseUrl: this.baseUrl, strict: true },
    );
    const result = await this.store.search(request, { baseUrl: this.baseUrl });
    return result.matches.map((found) => found.content as Medication);
  }

  private async compartment<T extends Resource>(
    patientIds: string[],
    resourceType: T['resourceType'],
    params: [string, string][],
  ): Promise<T[]> {
    const request = parseSearchRequest(resourceType, params, { baseUrl: this.baseUrl, strict: true });
    const result = await this.store.search(request, {
      baseUrl: this.baseUrl,
      compartment: { patientIds },
    });
    return result.matches.map((found) => found.content as T);
  }

  private async find(resourceType: string, params: [string, string][]): Promise<FoundResource[]> {
    const request = parseSearchRequest(resourceType, [...params, ['_count', String(MAX_LINKED_PATIENTS)]], {
      baseUrl: this.baseUrl,
      strict: true,
    });
    return (await this.store.search(request, { baseUrl: this.baseUrl })).matches;
  }
}

function linkedIds(patient: Patient, baseUrl: string): string[] {
  return (patient.link ?? []).flatMap((link) => {
    const parsed = link.other.reference ? parseReference(link.other.reference, baseUrl) : undefined;
    return parsed && !parsed.external && parsed.type === 'Patient' ? [parsed.id] : [];
  });
}
