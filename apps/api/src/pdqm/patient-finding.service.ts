import { HttpConfig } from '@continuum/config';
import { parsePdqmQuery } from '@continuum/fhir';
import { PersonFinder } from '@continuum/security';
import { PatientCandidates } from '@continuum/search';
import { type FoundResource, ResourceStore } from '@continuum/store';
import { Injectable, Logger } from '@nestjs/common';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';

/** Names, on each entry, the person a source Patient record is: a reference to the person's first record here. */
export const SAME_PERSON_EXTENSION = 'https://fhir.continuum.nhs.example/StructureDefinition/same-person';

/**
 * PDQm (IHE ITI-78) patient finding, `GET Patient?_query=pdqm&family=…&given=…&birthdate=…`, over PersonFinder
 * (libs/security: Elasticsearch candidates, then persons and records through the one door; 503 with Retry-After when
 * Elasticsearch fails). Results are people, not fragments: one entry per visible source Patient, each person's
 * records together (best match first, then its other records), every entry naming its person (SAME_PERSON_EXTENSION)
 * and carrying the person's relative score.
 */
@Injectable()
export class PatientFindingService {
  private readonly logger = new Logger(PatientFindingService.name);
  private readonly baseUrl: string;
  private readonly persons: PersonFinder;

  constructor(candidates: PatientCandidates, store: ResourceStore, http: HttpConfig) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
    this.persons = new PersonFinder(candidates, store, this.baseUrl, (message) => this.logger.warn(message));
  }

  async search(params: [string, string][]): Promise<Bundle> {
    const persons = await this.persons.find(parsePdqmQuery(params));
    const entries: BundleEntry[] = persons.flatMap((person) =>
      person.records.map((record) => this.entry(record, person.records[0].id, person.score)),
    );
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entries.length,
      link: [{ relation: 'self', url: `${this.baseUrl}/Patient?${new URLSearchParams(params).toString()}` }],
      entry: entries,
    };
  }

  private entry(found: FoundResource, personLead: string, score: number): BundleEntry {
    return {
      fullUrl: `${this.baseUrl}/Patient/${found.id}`,
      resource: found.content as FhirResource,
      search: { mode: 'match', score },
      extension: [{ url: SAME_PERSON_EXTENSION, valueReference: { reference: `Patient/${personLead}` } }],
    };
  }
}
