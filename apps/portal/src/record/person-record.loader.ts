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

/** Most resources of one type read for a view (the largest page the store serves; a view shows far fewer). */
const PAGE = 1000;

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
    const launched = await this.store.read<Patient>('Patient', patientId); // refused or gone: the caller's error page
    const personIds = [...new Set([patientId, ...(await this.store.personOf(patientId))])];
    const others =
      personIds.length > 1
        ? await this.search<Patient>('Patient', [
            ['_id', personIds.filter((id) => id !== patientId).join(',')],
          ])
        : [];
    const patients = [launched, ...others];
    const entries = await Promise.all(
      types.map(async (type) => [type, await this.compartment(type, personIds).catch(unavailable)] as const),
    );
    const resources: PersonRecord['resources'] = Object.fromEntries(entries);
    return { patients, resources, medicines: await this.medicines(resources) };
  }

  private compartment<T extends RecordResourceType>(
    type: T,
    patientIds: string[],
  ): Promise<RecordResources[T][]> {
    return this.search<RecordResources[T]>(type, [], { patientIds });
  }

  private async search<T extends Resource>(
    type: string,
    params: [string, string][],
    compartment?: { patientIds: string[] },
  ): Promise<T[]> {
    const request = parseSearchRequest(type, [...params, ['_count', String(PAGE)]], {
      baseUrl: this.baseUrl,
      strict: true,
    });
    const result = await this.store.search(request, {
      baseUrl: this.baseUrl,
      ...(compartment ? { compartment } : {}),
    });
    return result.matches.map((found) => found.content as T);
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
  if (isFhirError(error) && error.status < 500 && error.status !== 408) throw error;
  return 'unavailable';
}
