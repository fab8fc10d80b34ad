import { HttpConfig } from '@continuum/config';
import {
  FhirError,
  operationOutcome,
  parsePdqmQuery,
  parseSearchRequest,
  type PdqmQuery,
} from '@continuum/fhir';
import { PatientCandidates, type SearchMatch } from '@continuum/search';
import { type FoundResource, ResourceStore } from '@continuum/store';
import { Injectable, Logger } from '@nestjs/common';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';

/** Names, on each entry, the person a source Patient record is: a reference to the person's first record here. */
export const SAME_PERSON_EXTENSION = 'https://fhir.continuum.nhs.example/StructureDefinition/same-person';

/** Elasticsearch candidates per person asked for: several records of one person may each be a candidate. */
const CANDIDATES_PER_PERSON = 3;
/** Seconds a client waits before retrying when patient finding is unavailable. */
const RETRY_AFTER_SECONDS = 5;

interface RankedPerson {
  /** The person's records the caller may see, the best-matching candidate first. */
  records: string[];
  /** The best candidate's score relative to the best person's (0–1]. */
  score: number;
}

/**
 * PDQm (IHE ITI-78) patient finding, `GET Patient?_query=pdqm&family=…&given=…&birthdate=…`: Elasticsearch
 * (PatientCandidates) proposes Patient records by fuzzy and phonetic names and demographics; everything served then
 * goes through the one door: each candidate's person (`personOf`) and the records themselves (`search` by `_id`),
 * so scopes, the patient/ compartment, consent and opt-out, restricted people and the audit apply, and the total is
 * counted in SQL under the caller's filters. Results are people, not fragments: one entry per visible source
 * Patient, each person's records together (best match first, then its other records), every entry naming its
 * person (SAME_PERSON_EXTENSION) and carrying the person's relative score. If Elasticsearch fails, the answer is
 * 503 with an OperationOutcome and Retry-After: no fallback to Postgres, whose exact matching would answer a
 * different question.
 */
@Injectable()
export class PatientFindingService {
  private readonly logger = new Logger(PatientFindingService.name);
  private readonly baseUrl: string;

  constructor(
    private readonly candidates: PatientCandidates,
    private readonly store: ResourceStore,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async search(params: [string, string][]): Promise<Bundle> {
    const query = parsePdqmQuery(params);
    const matches = await this.find(query);
    const persons = await this.rankPersons(matches, query.count);
    const ids = persons.flatMap((person) => person.records);
    const found = ids.length ? await this.readVisible(ids, Boolean(query.postcode)) : [];
    const byId = new Map(found.map((resource) => [resource.id, resource]));
    const entries: BundleEntry[] = persons.flatMap((person) => {
      const visible = person.records.filter((id) => byId.has(id));
      return visible.map((id) => this.entry(byId.get(id)!, visible[0], person.score));
    });
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entries.length,
      link: [{ relation: 'self', url: `${this.baseUrl}/Patient?${new URLSearchParams(params).toString()}` }],
      entry: entries,
    };
  }

  private async find(query: PdqmQuery): Promise<SearchMatch[]> {
    try {
      return await this.candidates.find({ ...query, limit: query.count * CANDIDATES_PER_PERSON });
    } catch (error) {
      this.logger.warn(
        `patient finding unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new FhirError(
        503,
        operationOutcome([
          {
            code: 'transient',
            diagnostics:
              'Patient finding (PDQm) is unavailable just now: Elasticsearch did not answer. Try again shortly.',
          },
        ]),
        RETRY_AFTER_SECONDS,
      );
    }
  }

  /** Candidates grouped into persons in order of their best candidate, at most `count` persons. */
  private async rankPersons(matches: SearchMatch[], count: number): Promise<RankedPerson[]> {
    const top = matches[0]?.score || 1;
    const persons: RankedPerson[] = [];
    const placed = new Set<string>();
    for (const match of matches) {
      if (persons.length >= count) break;
      if (placed.has(match.id)) continue;
      const records = await this.store.personOf(match.id);
      const others = records.filter((id) => id !== match.id && !placed.has(id));
      [match.id, ...others].forEach((id) => placed.add(id));
      persons.push({ records: [match.id, ...others], score: Math.round((match.score / top) * 1000) / 1000 });
    }
    return persons;
  }

  /**
   * The records the caller may see, read through the secured door; when the search named a postcode, restricted
   * people are left out whatever else matched (their postcode is never searchable).
   */
  private async readVisible(ids: string[], byPostcode: boolean): Promise<FoundResource[]> {
    const request = parseSearchRequest('Patient', [['_id', ids.join(',')]], {
      baseUrl: this.baseUrl,
      maxCount: ids.length,
    });
    request.count = ids.length;
    const result = await this.store.search(request, {
      baseUrl: this.baseUrl,
      excludeRestrictedPeople: byPostcode,
    });
    return result.matches;
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
