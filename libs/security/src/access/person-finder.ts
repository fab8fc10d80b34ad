import { FhirError, operationOutcome, parseSearchRequest, type PdqmQuery } from '@continuum/fhir';
import type { PatientCandidates, SearchMatch } from '@continuum/search';
import type { FoundResource, ResourceStore } from '@continuum/store';

/** Elasticsearch candidates per person asked for: several records of one person may each be a candidate. */
const CANDIDATES_PER_PERSON = 3;
/** Seconds a client waits before retrying when patient finding is unavailable. */
export const PATIENT_FINDING_RETRY_AFTER_SECONDS = 5;

/** One person found: the records of theirs the caller may see, the best-matching first, and a relative score. */
export interface FoundPerson {
  records: FoundResource[];
  /** The best candidate's score relative to the best person's (0–1]. */
  score: number;
}

interface RankedPerson {
  records: string[];
  score: number;
}

/** True for the 503 PersonFinder answers when Elasticsearch does not. */
export function isPatientFindingUnavailable(error: unknown): boolean {
  return (
    error instanceof FhirError &&
    error.status === 503 &&
    error.retryAfterSeconds === PATIENT_FINDING_RETRY_AFTER_SECONDS
  );
}

/**
 * Finding PEOPLE by demographics (PDQm in the API, the portal's find page): Elasticsearch (PatientCandidates)
 * proposes Patient records by fuzzy and phonetic names and demographics; everything served then goes through the one
 * door: each candidate's person (`personOf`) and the records themselves (`search` by `_id`), so scopes, the patient/
 * compartment, consent and opt-out, restricted people and the audit apply. One result per person, its records
 * together (best match first). A search naming a postcode never finds a restricted person. If Elasticsearch fails,
 * a 503 FhirError with Retry-After: no fallback to Postgres, whose exact matching would answer another question.
 */
export class PersonFinder {
  constructor(
    private readonly candidates: PatientCandidates,
    private readonly store: ResourceStore,
    private readonly baseUrl: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  async find(query: PdqmQuery): Promise<FoundPerson[]> {
    const matches = await this.candidatesOf(query);
    const persons = await this.rankPersons(matches, query.count);
    const ids = persons.flatMap((person) => person.records);
    const found = ids.length ? await this.readVisible(ids, Boolean(query.postcode)) : [];
    const byId = new Map(found.map((resource) => [resource.id, resource]));
    return persons
      .map((person) => ({
        records: person.records.filter((id) => byId.has(id)).map((id) => byId.get(id)!),
        score: person.score,
      }))
      .filter((person) => person.records.length > 0);
  }

  private async candidatesOf(query: PdqmQuery): Promise<SearchMatch[]> {
    try {
      return await this.candidates.find({ ...query, limit: query.count * CANDIDATES_PER_PERSON });
    } catch (error) {
      this.warn(`patient finding unavailable: ${error instanceof Error ? error.message : String(error)}`);
      throw new FhirError(
        503,
        operationOutcome([
          {
            code: 'transient',
            diagnostics:
              'Patient finding (PDQm) is unavailable just now: Elasticsearch did not answer. Try again shortly.',
          },
        ]),
        PATIENT_FINDING_RETRY_AFTER_SECONDS,
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
}
