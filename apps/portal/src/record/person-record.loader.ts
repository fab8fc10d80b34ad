import { HttpConfig } from '@continuum/config';
import {
  isFhirError,
  parseSearchRequest,
  type PersonRecord,
  type RecordResourceType,
  type RecordResources,
} from '@continuum/fhir';
import { ResourceStore } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type { Medication, Patient, Resource } from 'fhir/r4';

/** Page size of the record's reads (the largest page the store serves). */
const PAGE = 1000;
/** A person's record is bounded: past this many pages of one search the rest is not read. */
const MAX_PAGES = 20;

/**
 * Reads one person's record for a view through the door (`ResourceStore`, the secured store in the portal): every
 * Patient record of the person, then the view's resource types across all of them. A type whose read fails for any
 * reason but a refusal is marked `unavailable`, so the view says so instead of "none recorded".
 */
@Injectable()
export class PersonRecordLoader {
  private readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async load(patientId: string, types: readonly RecordResourceType[]): Promise<PersonRecord> {
    // refused or gone: the caller's error page
    const [launched, person] = await Promise.all([
      this.store.read<Patient>('Patient', patientId),
      this.store.personOf(patientId),
    ]);
    const personIds = [...new Set([patientId, ...person])];
    const others = personIds.filter((id) => id !== patientId);
    const [otherRecords, resources] = await Promise.all([
      others.length ? this.search<Patient>('Patient', [['_id', others.join(',')]]) : Promise.resolve([]),
      this.resourcesOf(personIds, types),
    ]);
    const patients = [launched, ...otherRecords];
    return { patients, resources, medicines: await this.medicines(resources) };
  }

  /**
   * The view's types across the person's records in one search (one consent decision and one AuditEvent, paged
   * through). If it fails for a reason other than a refusal, each type is read on its own, so one unreadable type
   * leaves only its own sections "unavailable".
   */
  private async resourcesOf(
    personIds: string[],
    types: readonly RecordResourceType[],
  ): Promise<PersonRecord['resources']> {
    const grouped: PersonRecord['resources'] = Object.fromEntries(types.map((type) => [type, []]));
    if (!types.length) return grouped;
    try {
      for (const resource of await this.search<Resource>(undefined, [['_type', types.join(',')]], {
        patientIds: personIds,
      }))
        (grouped[resource.resourceType as RecordResourceType] as Resource[] | undefined)?.push(resource);
      return grouped;
    } catch (error) {
      if (isRefusal(error)) throw error;
    }
    const entries = await Promise.all(
      types.map(
        async (type) =>
          [
            type,
            await this.search<RecordResources[typeof type]>(type, [], { patientIds: personIds }).catch(
              unavailable,
            ),
          ] as const,
      ),
    );
    return Object.fromEntries(entries);
  }

  /** Every match of a search, page after page (a view needs all of a person's current items, not the first page). */
  private async search<T extends Resource>(
    type: string | undefined,
    params: [string, string][],
    compartment?: { patientIds: string[] },
  ): Promise<T[]> {
    const request = parseSearchRequest(type, [...params, ['_count', String(PAGE)]], {
      baseUrl: this.baseUrl,
      strict: true,
    });
    const found: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.store.search(request, {
        baseUrl: this.baseUrl,
        ...(compartment ? { compartment } : {}),
      });
      found.push(...result.matches.map((match) => match.content as T));
      if (!result.next) break;
      request.cursor = result.next;
    }
    return found;
  }

  /** The Medication resources statements and requests reference (outside every compartment). */
  private async medicines(resources: PersonRecord['resources']): Promise<Map<string, Medication>> {
    const references = (['MedicationRequest', 'MedicationStatement'] as const).flatMap((type) => {
      const held = resources[type];
      return held === 'unavailable' || !held ? [] : held.map((m) => m.medicationReference?.reference ?? '');
    });
    const ids = [
      ...new Set(references.filter((ref) => ref.startsWith('Medication/')).map((ref) => ref.slice(11))),
    ];
    if (!ids.length) return new Map();
    const found = await this.search<Medication>('Medication', [['_id', ids.join(',')]]).catch(() => []);
    return new Map(found.map((medicine) => [`Medication/${medicine.id}`, medicine]));
  }
}

/** A refusal is the caller's answer (the page says why); any other failure leaves the section "unavailable". */
function unavailable(error: unknown): 'unavailable' {
  if (isRefusal(error)) throw error;
  return 'unavailable';
}

const isRefusal = (error: unknown) => isFhirError(error) && error.status < 500 && error.status !== 408;
