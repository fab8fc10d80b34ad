import { HttpConfig } from '@continuum/config';
import {
  buildPatientBanner,
  IdentifierSystem,
  normaliseNhsNumber,
  nhsNumberProblem,
  type PatientBanner,
  type PdqmQuery,
  parseSearchRequest,
} from '@continuum/fhir';
import { isPatientFindingUnavailable, PersonFinder } from '@continuum/security';
import { ResourceStore } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type { Patient } from 'fhir/r4';

/** What a search by NHS number found: the person's records, or why there is nothing to show. */
export type FindResult =
  | { found: true; patients: Patient[] }
  | { found: false; reason: 'invalid-nhs-number' | 'no-record'; message: string };

/** One person found by their details: their banner (address withheld when restricted) and the sources holding them. */
export interface FoundPersonRow {
  banner: PatientBanner;
  /** The source systems holding a record of the person (`meta.source`). */
  sources: string[];
  /** The record to open: the best-matching one. */
  patientId: string;
}

export type PeopleResult =
  | { found: true; people: FoundPersonRow[] }
  | { found: false; reason: 'no-match' | 'unavailable'; message: string };

/**
 * Finds a person through the door (the caller's access applies: a record they may not see is not found): by NHS
 * number, its check digit validated first so a mistyped number is told apart from an unknown one; or by name, date
 * of birth and postcode through the Elasticsearch patient finder, one row per PERSON with every source holding them.
 */
@Injectable()
export class PatientFinder {
  private readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    private readonly persons: PersonFinder,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async byNhsNumber(input: string): Promise<FindResult> {
    const problem = nhsNumberProblem(input);
    if (problem)
      return {
        found: false,
        reason: 'invalid-nhs-number',
        message: problem.replace(/^NHS number '[^']*'/, 'The NHS number'),
      };
    const request = parseSearchRequest(
      'Patient',
      [
        ['identifier', `${IdentifierSystem.nhsNumber}|${normaliseNhsNumber(input)}`],
        ['_count', '50'],
      ],
      { baseUrl: this.baseUrl, strict: true },
    );
    const { matches } = await this.store.search(request, { baseUrl: this.baseUrl });
    if (!matches.length)
      return { found: false, reason: 'no-record', message: 'No record was found for this NHS number' };
    return { found: true, patients: matches.map((match) => match.content as Patient) };
  }

  async byDetails(query: PdqmQuery, now = new Date()): Promise<PeopleResult> {
    let persons;
    try {
      persons = await this.persons.find(query);
    } catch (error) {
      if (!isPatientFindingUnavailable(error)) throw error;
      return {
        found: false,
        reason: 'unavailable',
        message: 'Search by name is unavailable just now. Find the patient by NHS number instead.',
      };
    }
    if (!persons.length)
      return {
        found: false,
        reason: 'no-match',
        message: 'No one was found with these details. Check them, or search by NHS number.',
      };
    return {
      found: true,
      people: persons.map((person) => {
        const patients = person.records.map((record) => record.content as Patient);
        return {
          banner: buildPatientBanner(patients, now),
          sources: [...new Set(patients.map((patient) => patient.meta?.source ?? 'Not known'))].sort(),
          patientId: person.records[0].id,
        };
      }),
    };
  }
}
